from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role

_NAV: dict[str, list[tuple[Promise, str]]] = {
    Role.BUYER: [
        (_("My orders"), "orders:buyer_orders"),
        (_("My disputes"), "disputes:buyer_list"),
    ],
    Role.SELLER: [
        (_("Dashboard"), "orders:seller_dashboard"),
        (_("Disputes"), "disputes:seller_list"),
    ],
    Role.ARBITER: [
        (_("Arbitration queue"), "arbitration:queue"),
        (_("Metrics"), "arbitration:metrics"),
    ],
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The portal links of the signed-in user's role, for the shared base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [(label, reverse(name)) for label, name in _NAV.get(user.role, [])]
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_links": links, "unread_count": unread}
