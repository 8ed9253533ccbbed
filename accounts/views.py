from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .models import Role

_HOME_BY_ROLE = {
    Role.BUYER: "orders:buyer_orders",
    Role.SELLER: "orders:seller_dashboard",
    Role.ARBITER: "arbitration:queue",
}


@login_required
def home(request):
    """Send each role to its own portal after login."""
    return redirect(_HOME_BY_ROLE[request.user.role])
