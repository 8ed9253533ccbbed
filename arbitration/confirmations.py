"""What a ruling or an appeal decision will do, in words and exact amounts, for its confirm
step (core.confirm). Pure reads: the act decides again when it is confirmed, and refuses here
what it would refuse then (an amount above what can be refunded), so the step never promises
what the act will not do."""

from decimal import Decimal

from django.http import QueryDict

from core.confirm import Confirmation, carried
from core.money import Money
from disputes import ledger
from disputes.confirmations import replacement_words
from disputes.models import Dispute, Remedy
from disputes.services.kernel import Proposal, validated

from .models import RulingOutcome
from .services.appeal import appeal_owed, refunded_by
from .services.case import REMEDIES, Decision


def _granted(dispute: Dispute, remedy: str, money: Money) -> list[str]:
    policy = dispute.policy
    if remedy == Remedy.RETURN_AND_REFUND:
        return [
            f"The buyer sends the item back with tracking within {policy.return_ship_days} "
            f"days; {money} is then refunded once the seller confirms it arrived, or "
            f"automatically {policy.return_receipt_days} days after it is delivered."
        ]
    return [
        f"{money} is refunded to the buyer's original payment method at once (it takes up to "
        f"{policy.refund_arrival_business_days} business days to arrive)."
    ]


def _written(dispute: Dispute, decision: Decision) -> list[str]:
    lines = []
    if decision.seller_violation:
        lines.append(f"A rule violation is recorded against the seller: {decision.penalty_note}")
    lines.append("Both parties are told at once and read your reasons.")
    return lines


def ruling(dispute: Dispute, decision: Decision, data: QueryDict) -> Confirmation:
    """The first ruling. Raises ActionRefused for an amount the ruling could not pay."""
    outcome = RulingOutcome(decision.outcome)
    remedy = REMEDIES.get(outcome)
    if remedy is None:
        lines = ["The claim is rejected: nothing is refunded, and the seller keeps the payment."]
    elif remedy == Remedy.REPLACEMENT:
        lines = replacement_words(dispute, to="the buyer's")
    else:
        granted = validated(dispute.order, Proposal(remedy, decision.amount))
        money = Money(granted.amount or Decimal(0), dispute.order.currency)
        lines = _granted(dispute, remedy, money)
    lines += _written(dispute, decision)
    lines.append(
        f"Either party may appeal once within {dispute.policy.appeal_days} days; "
        "another arbiter then decides."
    )
    return Confirmation(
        act=f"rule on dispute {dispute.reference}: {outcome.label}",
        consequences=lines,
        confirm_label="Yes, rule and carry it out",
        final="You cannot change the ruling afterwards; only an appeal can.",
        carried=carried(data),
    )


def _replaced(dispute: Dispute, decision: Decision) -> list[str]:
    remedy = REMEDIES.get(decision.outcome)
    money = ledger.paid_amount(dispute.order)
    already = Money(refunded_by(dispute), money.currency)
    if remedy is None:
        return [f"The claim is rejected: nothing more is refunded ({already} already was)."]
    owed = appeal_owed(dispute, remedy, decision.amount)
    if remedy == Remedy.REPLACEMENT:
        return replacement_words(dispute, to="the buyer's")
    if owed is None:
        return [f"Nothing more is refunded: this dispute already refunded {already}."]
    more = Money(owed, money.currency)
    lines = _granted(dispute, remedy, more)
    lines.append(f"That is on top of the {already} this dispute already refunded.")
    return lines


def appeal_decision(
    dispute: Dispute, uphold: bool, decision: Decision, data: QueryDict
) -> Confirmation:
    """The final decision on an appeal. Raises ActionRefused for an amount above the payment."""
    if uphold:
        act = f"uphold the ruling on dispute {dispute.reference}"
        lines = ["The first ruling stands as it was carried out: nothing more is refunded."]
    else:
        outcome = RulingOutcome(decision.outcome)
        act = f"replace the ruling on dispute {dispute.reference}: {outcome.label}"
        lines = _replaced(dispute, decision)
    lines += _written(dispute, decision)
    lines.append("Refunds already paid are not taken back.")
    return Confirmation(
        act=act,
        consequences=lines,
        confirm_label="Yes, decide the appeal",
        final="This decision is final: it cannot be undone or appealed.",
        carried=carried(data),
    )
