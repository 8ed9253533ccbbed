from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect

from .access import AuthenticatedRequest
from .models import Role

_HOME_BY_ROLE: dict[str, str] = {
    Role.BUYER: "orders:buyer_orders",
    Role.SELLER: "orders:seller_dashboard",
    Role.ARBITER: "arbitration:queue",
}


@login_required
def home(request: AuthenticatedRequest) -> HttpResponseRedirect:
    """Send each role to its own portal after login."""
    return redirect(_HOME_BY_ROLE[request.user.role])
