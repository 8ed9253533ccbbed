"""The buyer opens a dispute on an order."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused
from core.languages import active_language
from core.references import new_reference
from orders.models import Order
from policies.models import Policy

from ..deadlines import sync_deadlines
from ..events import offer_data, people, record
from ..evidence import ProcessedPhoto
from ..models import Dispute, Party, Reason
from ..rules import opening_window
from .items import ClaimedItem, claim_cap, claim_data, claim_of, save_claim
from .kernel import Proposal, attach_photos, new_offer, validated


@transaction.atomic
def dispute_open(
    *,
    order: Order,
    actor: User,
    reason: str,
    proposal: Proposal,
    description: str,
    photos: Sequence[ProcessedPhoto] = (),
    items: Sequence[ClaimedItem] | None = None,
    now: datetime | None = None,
) -> Dispute:
    """`items`: the order lines the claim is about, how many of each (None: the whole order)."""
    now = now or timezone.now()
    order = Order.objects.select_for_update(of=("self",)).select_related("store").get(pk=order.pk)
    _check_openable(order, actor, reason, photos, now)
    claim = claim_of(order, items)
    proposal = validated(order, proposal, claim_cap(order, claim))
    policy = Policy.current()
    dispute = _new_dispute(order, policy, reason, description, proposal, now)
    save_claim(dispute, claim)
    offer = new_offer(dispute, party=Party.BUYER, actor=actor, proposal=proposal, now=now)
    attach_photos(dispute, photos, actor=actor, now=now, offer=offer)
    sync_deadlines(dispute, now)
    data = {
        "reason": reason,
        "order": order.reference,
        "items": claim_data(claim),
        "offer": offer_data(offer),
        "photos": len(photos),
        "answer_days": policy.seller_answer_days,
    }
    record(dispute, people.OPENED.code, actor=actor, at=now, from_state="", data=data)
    return dispute


def _new_dispute(
    order: Order, policy: Policy, reason: str, description: str, proposal: Proposal, now: datetime
) -> Dispute:
    return Dispute.objects.create(
        reference=new_reference("DS"),
        order=order,
        store_id=order.store_id,
        policy=policy,
        reason=reason,
        description=description,
        description_language=active_language(),
        opened_at=now,
        seller_clock_started_at=now,
        target_at=now + timedelta(days=policy.resolution_target_days),
        claimed_amount=proposal.amount or 0,
    )


def _check_openable(
    order: Order, actor: User, reason: str, photos: Sequence[ProcessedPhoto], now: datetime
) -> None:
    if actor.pk != order.buyer_id:
        raise ActionRefused(_("Only the buyer of this order can open a dispute on it."))
    window = opening_window(order, now)
    if not window.allowed:
        raise ActionRefused(window.explanation)
    if reason in Reason.needing_photos() and not photos:
        label = Reason(reason).label.lower()
        raise ActionRefused(
            # Translators: %(reason)s is the kind of claim, e.g. "damaged or defective".
            _("A “%(reason)s” claim needs at least one photo of the item.") % {"reason": label}
        )
