"""What a ruling or an appeal decision will do, in words and exact amounts, for its confirm
step (core.confirm). Pure reads: the act decides again when it is confirmed, and refuses here
what it would refuse then (an amount above what can be refunded), so the step never promises
what the act will not do."""

from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.confirm import Confirmation, carried
from core.moments import money
from disputes import ledger
from disputes.confirmations import replacement_words
from disputes.models import Dispute, Remedy
from disputes.services.kernel import Proposal, validated

from .models import RulingOutcome
from .services.appeal import appeal_owed, refunded_by, still_to_do
from .services.case import REMEDIES, Decision


def _granted(dispute: Dispute, remedy: str, amount: str) -> list[str]:
    """What granting `remedy` for `amount` (already written as money) does."""
    policy = dispute.policy
    if remedy == Remedy.RETURN_AND_REFUND:
        ship, receipt = policy.return_ship_days, policy.return_receipt_days
        return [
            ngettext(
                "The buyer sends the item back with tracking within %(days)s day.",
                "The buyer sends the item back with tracking within %(days)s days.",
                ship,
            )
            % {"days": ship},
            ngettext(
                "%(amount)s is then refunded once the seller confirms it arrived, or "
                "automatically %(days)s day after it is delivered.",
                "%(amount)s is then refunded once the seller confirms it arrived, or "
                "automatically %(days)s days after it is delivered.",
                receipt,
            )
            % {"amount": amount, "days": receipt},
        ]
    return [
        ngettext(
            "%(amount)s is refunded to the buyer's original payment method at once (it takes "
            "up to %(days)s business day to arrive).",
            "%(amount)s is refunded to the buyer's original payment method at once (it takes "
            "up to %(days)s business days to arrive).",
            policy.refund_arrival_business_days,
        )
        % {"amount": amount, "days": policy.refund_arrival_business_days}
    ]


def _written(dispute: Dispute, decision: Decision) -> list[str]:
    lines = []
    if decision.seller_violation:
        lines.append(
            _("A rule violation is recorded against the seller: %(note)s")
            % {"note": decision.penalty_note}
        )
    lines.append(_("Both parties are told at once and read your reasons."))
    return lines


def ruling(dispute: Dispute, decision: Decision, data: QueryDict) -> Confirmation:
    """The first ruling. Raises ActionRefused for an amount the ruling could not pay."""
    outcome = RulingOutcome(decision.outcome)
    remedy = REMEDIES.get(outcome)
    if remedy is None:
        lines = [_("The claim is rejected: nothing is refunded, and the seller keeps the payment.")]
    elif remedy == Remedy.REPLACEMENT:
        lines = replacement_words(dispute, to="the buyer's")
    else:
        granted = validated(dispute.order, Proposal(remedy, decision.amount))
        amount = money(granted.amount or Decimal(0), dispute.order.currency)
        lines = _granted(dispute, remedy, amount)
    lines += _written(dispute, decision)
    days = dispute.policy.appeal_days
    lines.append(
        ngettext(
            "Either party may appeal once within %(days)s day; another arbiter then decides.",
            "Either party may appeal once within %(days)s days; another arbiter then decides.",
            days,
        )
        % {"days": days}
    )
    words = {"reference": dispute.reference, "outcome": outcome.label}
    return Confirmation(
        act=_("rule on dispute %(reference)s: %(outcome)s") % words,
        consequences=lines,
        confirm_label=_("Yes, rule and carry it out"),
        final=_("You cannot change the ruling afterwards; only an appeal can."),
        title=_("Please confirm"),
        carried=carried(data),
    )


def _replaced(dispute: Dispute, decision: Decision) -> list[str]:
    remedy = REMEDIES.get(decision.outcome)
    currency = ledger.paid_amount(dispute.order).currency
    already = money(refunded_by(dispute), currency)
    if remedy is None:
        return [
            _("The claim is rejected: nothing more is refunded (%(already)s already was).")
            % {"already": already}
        ]
    owed = appeal_owed(dispute, remedy, decision.amount)
    todo = still_to_do(dispute, remedy)
    if remedy == Remedy.REPLACEMENT:
        if not todo["needs_replacement"]:
            return [_("The replacement already arrived: nothing more is sent or refunded.")]
        return replacement_words(dispute, to="the buyer's")
    if remedy == Remedy.RETURN_AND_REFUND and not todo["needs_return"]:
        remedy = Remedy.PARTIAL_REFUND  # the item is already back: refunded at once
    if owed is None:
        return [
            _("Nothing more is refunded: this dispute already refunded %(already)s.")
            % {"already": already}
        ]
    lines = _granted(dispute, remedy, money(owed, currency))
    lines.append(
        _("That is on top of the %(already)s this dispute already refunded.") % {"already": already}
    )
    return lines


def appeal_decision(
    dispute: Dispute, uphold: bool, decision: Decision, data: QueryDict
) -> Confirmation:
    """The final decision on an appeal. Raises ActionRefused for an amount above the payment."""
    if uphold:
        act = _("uphold the ruling on dispute %(reference)s") % {"reference": dispute.reference}
        lines = [_("The first ruling stands as it was carried out: nothing more is refunded.")]
    else:
        outcome = RulingOutcome(decision.outcome)
        act = _("replace the ruling on dispute %(reference)s: %(outcome)s") % {
            "reference": dispute.reference,
            "outcome": outcome.label,
        }
        lines = _replaced(dispute, decision)
    lines += _written(dispute, decision)
    lines.append(_("Refunds already paid are not taken back."))
    return Confirmation(
        act=act,
        consequences=lines,
        confirm_label=_("Yes, decide the appeal"),
        final=_("This decision is final: it cannot be undone or appealed."),
        title=_("Please confirm"),
        carried=carried(data),
    )
