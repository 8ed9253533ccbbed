"""After a dispute on an order ended, its buyer may rate the seller."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import ActionRefused
from orders.models import Order

from ..models import SellerRating


@transaction.atomic
def rating_leave(
    *, order: Order, buyer: User, stars: int, comment: str, now: datetime | None = None
) -> SellerRating:
    """After a dispute on the order ended, its buyer may rate the seller, once."""
    now = now or timezone.now()
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if buyer.pk != order.buyer_id:
        raise ActionRefused("Only the buyer of this order can rate the seller.")
    disputes = list(order.disputes.all())
    if not disputes or any(d.is_open for d in disputes):
        raise ActionRefused("You can rate the seller once the dispute has ended.")
    if not 1 <= stars <= 5:
        raise ActionRefused("Choose from 1 to 5 stars.")
    if SellerRating.objects.filter(order=order).exists():
        raise ActionRefused("You already rated the seller for this order.")
    return SellerRating.objects.create(
        order=order,
        store_id=order.store_id,
        buyer=buyer,
        stars=stars,
        comment=comment,
        created_at=now,
    )
