"""What a party's act that cannot be undone will do, in words and exact amounts, for the
confirm step (core.confirm). Pure reads: the act itself decides again when it is confirmed.

Each line is one whole sentence in the reader's language: the buyer's view ("your original
payment method") and anyone else's ("the buyer's") are two sentences, never a word swapped in."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.confirm import Confirmation
from core.moments import moment
from core.moments import money as money_words
from core.money import Money

from . import ledger
from .clocks.replacement import replacement_refund
from .models import Dispute, DisputeState, Offer, Remedy

# `replacement_words(dispute, to=YOURS)`: the buyer reads it; any other value, someone else.
YOURS = "your"


def _money(value: Money | None) -> str:
    return "" if value is None else money_words(value.amount, value.currency)


def _refund_words(offer: Offer, *, buyer_view: bool, arrival_days: int) -> str:
    if buyer_view:
        words = ngettext(
            "%(amount)s is refunded to your original payment method; it takes up to "
            "%(days)d business day to arrive.",
            "%(amount)s is refunded to your original payment method; it takes up to "
            "%(days)d business days to arrive.",
            arrival_days,
        )
    else:
        words = ngettext(
            "%(amount)s is refunded to the buyer's original payment method; it takes up to "
            "%(days)d business day to arrive.",
            "%(amount)s is refunded to the buyer's original payment method; it takes up to "
            "%(days)d business days to arrive.",
            arrival_days,
        )
    return words % {"amount": _money(offer.money), "days": arrival_days}


def _return_words(dispute: Dispute, offer: Offer, *, buyer_view: bool) -> str:
    policy = dispute.policy
    ship = policy.return_ship_days
    if buyer_view:
        send = ngettext(
            "You send the item back with tracking within %(days)d day.",
            "You send the item back with tracking within %(days)d days.",
            ship,
        )
    else:
        send = ngettext(
            "The buyer sends the item back with tracking within %(days)d day.",
            "The buyer sends the item back with tracking within %(days)d days.",
            ship,
        )
    receipt = policy.return_receipt_days
    refund = ngettext(
        "%(amount)s is refunded once the seller confirms it arrived, or automatically "
        "%(days)d day after it is delivered.",
        "%(amount)s is refunded once the seller confirms it arrived, or automatically "
        "%(days)d days after it is delivered.",
        receipt,
    )
    amount = _money(offer.money)
    return f"{send % {'days': ship}} {refund % {'amount': amount, 'days': receipt}}"


def replacement_words(dispute: Dispute, *, to: str) -> list[str]:
    """A replacement agreed or ruled: shipped within the policy's days, or the value at issue
    refunded instead (what `replacement_refund` pays when the clock runs out). `to` is YOURS
    when the buyer reads it, else the sentences name the buyer."""
    days = dispute.policy.replacement_ship_days
    ships = ngettext(
        "The seller ships a replacement with tracking within %(days)d day; no money is "
        "refunded for it.",
        "The seller ships a replacement with tracking within %(days)d days; no money is "
        "refunded for it.",
        days,
    )
    if to == YOURS:
        instead = _(
            "If it is not shipped in time, %(amount)s is refunded to your original payment "
            "method instead."
        )
    else:
        instead = _(
            "If it is not shipped in time, %(amount)s is refunded to the buyer's original "
            "payment method instead."
        )
    return [
        ships % {"days": days},
        instead % {"amount": _money(replacement_refund(dispute))},
        _("The dispute closes when the replacement arrives."),
    ]


def _kept(dispute: Dispute, offer: Offer) -> str:
    """What the seller keeps of the payment after this refund."""
    refundable = ledger.refundable_amount(dispute.order)
    left = refundable - offer.money if offer.money else refundable
    paid = ledger.paid_amount(dispute.order)
    words = _("The seller keeps %(kept)s of the %(paid)s paid.")
    return words % {"kept": _money(left), "paid": _money(paid)}


def _carried_out(dispute: Dispute, offer: Offer, *, buyer_view: bool) -> list[str]:
    """What happens when `offer` is agreed, as the buyer or the seller reads it."""
    arrival = dispute.policy.refund_arrival_business_days
    if offer.remedy == Remedy.REPLACEMENT:
        return replacement_words(dispute, to=YOURS if buyer_view else "the buyer's")
    if offer.needs_return:
        return [_return_words(dispute, offer, buyer_view=buyer_view), _kept(dispute, offer)]
    return [
        _refund_words(offer, buyer_view=buyer_view, arrival_days=arrival),
        _kept(dispute, offer),
        _("The dispute closes."),
    ]


# The act completes the confirm step's "You are about to …:" (includes/confirm_step.html).
_ACT = "completes: You are about to …"


def seller_accepts(dispute: Dispute, claim: Offer) -> Confirmation:
    what = {"offer": claim.describe()}
    return Confirmation(
        act=pgettext(_ACT, "accept the buyer's claim: %(offer)s") % what,
        consequences=_carried_out(dispute, claim, buyer_view=False),
        confirm_label=_("Yes, accept: %(offer)s") % what,
        carried=[("offer", str(claim.pk))],
    )


def buyer_accepts(dispute: Dispute, offer: Offer, claim: Offer | None) -> Confirmation:
    lines = _carried_out(dispute, offer, buyer_view=True)
    if claim is not None:
        words = _(
            "Your own claim (%(claim)s) is no longer on the table: you cannot ask for more in "
            "this dispute afterwards."
        )
        lines.append(words % {"claim": claim.describe()})
    what = {"offer": offer.describe()}
    return Confirmation(
        act=pgettext(_ACT, "accept the seller's offer: %(offer)s") % what,
        consequences=lines,
        confirm_label=_("Yes, accept: %(offer)s") % what,
    )


def _refunded_here(dispute: Dispute) -> Money | None:
    amounts = [r.money for r in dispute.refunds.exclude(status="failed")]
    return sum(amounts[1:], amounts[0]) if amounts else None


def _not_paid(dispute: Dispute) -> str:
    """An agreed return still under way: its refund is not paid once withdrawn."""
    agreed = dispute.agreed_offer
    if agreed is None:
        return _("The agreed refund is not paid, even if the item is on its way back.")
    words = _("The agreed refund (%(offer)s) is not paid, even if the item is on its way back.")
    return words % {"offer": agreed.describe()}


def _reopen(dispute: Dispute) -> str:
    ends = dispute.order.protection_ends_at
    if ends is None:
        return _("You can open a new dispute on this order only while buyer protection lasts.")
    words = _("You can open a new dispute on this order only until %(moment)s.")
    return words % {"moment": moment(ends)}


def withdraws(dispute: Dispute, claim: Offer | None) -> Confirmation:
    if claim is None:
        lines = [
            _("The dispute closes and the seller keeps the payment: nothing more is refunded.")
        ]
    else:
        words = _(
            "The dispute closes without your claim (%(claim)s): the seller keeps the payment and "
            "nothing more is refunded."
        )
        lines = [words % {"claim": claim.describe()}]
    if dispute.state in (DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT):
        lines.append(_not_paid(dispute))
    if refunded := _refunded_here(dispute):
        words = _("Refunds already made in this dispute (%(amount)s) stay yours.")
        lines.append(words % {"amount": _money(refunded)})
    lines.append(_reopen(dispute))
    act = pgettext(_ACT, "withdraw dispute %(reference)s") % {"reference": dispute.reference}
    return Confirmation(
        act=act,
        consequences=lines,
        confirm_label=_("Yes, withdraw the dispute"),
    )
