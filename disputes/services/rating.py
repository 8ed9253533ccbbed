"""After a dispute ended, its buyer may rate the seller."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused

from ..models import Dispute, SellerRating


@transaction.atomic
def rating_leave(
    *, dispute: Dispute, buyer: User, stars: int, comment: str, now: datetime | None = None
) -> SellerRating:
    """After a dispute ended, its buyer may rate the seller, once for that dispute."""
    now = now or timezone.now()
    dispute = (
        Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=dispute.pk)
    )
    if buyer.pk != dispute.order.buyer_id:
        raise ActionRefused(_("Only the buyer of this order can rate the seller."))
    if dispute.is_open:
        raise ActionRefused(_("You can rate the seller once the dispute has ended."))
    if not 1 <= stars <= 5:
        raise ActionRefused(_("Choose from 1 to 5 stars."))
    if SellerRating.objects.filter(dispute=dispute).exists():
        raise ActionRefused(_("You already rated the seller for this dispute."))
    return SellerRating.objects.create(
        order=dispute.order,
        dispute=dispute,
        store_id=dispute.order.store_id,
        buyer=buyer,
        stars=stars,
        comment=comment,
        created_at=now,
    )
