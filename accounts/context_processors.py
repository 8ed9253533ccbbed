from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .models import Role

_NAV: dict[str, list[tuple[str, str]]] = {
    Role.BUYER: [("My orders", "orders:buyer_orders"), ("My disputes", "disputes:buyer_list")],
    Role.SELLER: [("Dashboard", "orders:seller_dashboard"), ("Disputes", "disputes:seller_list")],
    Role.ARBITER: [("Arbitration queue", "arbitration:queue"), ("Metrics", "arbitration:metrics")],
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The portal links of the signed-in user's role, for the shared base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    links = [(label, reverse(name)) for label, name in _NAV.get(user.role, [])]
    unread = user.notifications.filter(read_at__isnull=True).count()
    return {"nav_links": links, "unread_count": unread}
