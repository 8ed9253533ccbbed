"""What a claim is about: the order lines the buyer names, how many of each, and the most that
can be asked for them (policy.md, "items": capped by those lines' value and by what is still
refundable on the order)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core.errors import ActionRefused
from core.moments import money
from core.money import Money
from orders.models import Order

from ..claims import Claim, claim_cap
from ..models import ClaimedLine, Dispute


@dataclass(frozen=True)
class ClaimedItem:
    """One item the buyer names: an order line's id and how many of it (1 to its quantity)."""

    line_id: int
    quantity: int


def claim_of(order: Order, items: Sequence[ClaimedItem] | None) -> Claim:
    """The lines of `order` that `items` name, checked; None names the whole order."""
    lines = {line.pk: line for line in order.lines.all()}
    if items is None:
        return [(line, line.quantity) for line in lines.values()]
    claim: Claim = []
    for item in items:
        line = lines.pop(item.line_id, None)  # popped: a line named twice is not found again
        if line is None:
            raise ActionRefused(_("Choose items of this order, each once."))
        if not 1 <= item.quantity <= line.quantity:
            raise ActionRefused(
                _("You can claim 1 to %(most)s of “%(item)s”.")
                % {"most": line.quantity, "item": line.title}
            )
        claim.append((line, item.quantity))
    if not claim:
        raise ActionRefused(_("Choose at least one item your claim is about."))
    return claim


def dispute_cap(dispute: Dispute) -> Money | None:
    """The most any offer on this dispute can refund beyond what is refundable (see claim_cap);
    a dispute from before claims named items is about the whole order."""
    return claim_cap(dispute.order, dispute.claimed_items)


def amount_limit(refundable: Money, cap: Money | None) -> tuple[Money, str]:
    """The most that can be asked for, and the sentence that refuses more: the claimed items'
    value, or what was paid and not yet refunded, whichever is less."""
    if cap is not None and cap < refundable:
        return cap, _(
            "The amount cannot be more than %(amount)s, the value of the items you claim for."
        ) % {"amount": money(cap.amount, cap.currency)}
    return refundable, _(
        "The amount cannot be more than %(amount)s, what was paid and not yet refunded."
    ) % {"amount": money(refundable.amount, refundable.currency)}


def save_claim(dispute: Dispute, claim: Claim) -> None:
    """The dispute's claimed lines become `claim` (a changed claim replaces them)."""
    dispute.claimed_lines.all().delete()
    ClaimedLine.objects.bulk_create(
        ClaimedLine(dispute=dispute, line=line, quantity=quantity) for line, quantity in claim
    )


def claim_data(claim: Claim) -> list[dict[str, Any]]:
    """The claim as an event keeps it: enough to name the items without reading them again."""
    return [
        {"line": line.pk, "title": line.title, "quantity": quantity} for line, quantity in claim
    ]
