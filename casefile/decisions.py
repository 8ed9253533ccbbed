"""A case file's decisions and money: the ruling, the appeal with its decision, the ledger, the
policy version that applied, the buyer's rating."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse

from arbitration.models import Ruling
from disputes.models import Dispute, Refund
from disputes.presenters import refund_line

from .reader import Reader, money, utc
from .schemas import AppealOut, LedgerOut, PolicyOut, RatingOut, RefundEntry, RulingOut
from .selectors import CaseRecord


def _ruling(reader: Reader, ruling: Ruling) -> RulingOut:
    currency = reader.dispute.order.currency
    amount = money(ruling.amount, currency) if ruling.amount is not None else None
    return RulingOut.model_validate(
        {
            "id": ruling.pk,
            "on_appeal": ruling.on_appeal,
            "upheld": ruling.upheld,
            "arbiter": reader.person(ruling.arbiter),
            "at": utc(ruling.created_at),
            "outcome": ruling.outcome,
            "outcome_label": ruling.get_outcome_display(),
            "amount": amount,
            "policy_clause": ruling.policy_clause,
            "policy_clause_label": ruling.get_policy_clause_display(),
            "rationale": ruling.rationale,
            "language": reader.staff_only(ruling.language),
            "cited_evidence": [str(item.public_id) for item in ruling.cited_evidence.all()],
            "seller_violation": ruling.seller_violation,
            "penalty_note": ruling.penalty_note,
        }
    )


APPEAL_PREFIX = "Appeal: "  # how disputes.services.appeal writes the statement as a message


def decisions_section(reader: Reader, record: CaseRecord) -> dict[str, Any]:
    """The ruling, and the appeal with its statement and its decision."""
    case = record.dispute
    first = next((r for r in record.rulings if not r.on_appeal), None)
    decision = next((r for r in record.rulings if r.on_appeal), None)
    appeal = None
    if case.appealed_at is not None and case.appealed_by is not None:
        appealed = [e for e in record.events if e.code == "disputes.dispute.appealed"]
        message_id = appealed[-1].data.get("message") if appealed else None
        said = next((m.body for m in record.messages if m.pk == message_id), "")
        appeal = AppealOut.model_validate(
            {
                "by": reader.person(case.appealed_by),
                "at": utc(case.appealed_at),
                "statement": said.removeprefix(APPEAL_PREFIX),
                "decision": _ruling(reader, decision) if decision else None,
            }
        )
    return {"ruling": _ruling(reader, first) if first else None, "appeal": appeal}


def _refund(reader: Reader, refund: Refund) -> RefundEntry:
    return RefundEntry.model_validate(
        {
            "id": refund.pk,
            "amount": money(refund.amount, refund.currency),
            "status": refund.status,
            "reason": refund.reason,
            "provider_reference": "" if reader.party else refund.provider_reference,
            "created_at": utc(refund.created_at),
            "settled_at": utc(refund.settled_at),
            "failed_at": utc(refund.failed_at),
            "failure_reason": refund.failure_reason,
            "text": refund_line(refund).words,
        }
    )


def ledger_section(reader: Reader, record: CaseRecord) -> LedgerOut:
    order = record.dispute.order
    payment = getattr(order, "payment", None)
    paid = payment.amount if payment is not None else Decimal(0)
    refunded = record.order_refunded
    released = money(order.payout, order.currency) if order.payout is not None else None
    return LedgerOut.model_validate(
        {
            "paid": money(paid, order.currency),
            "refunded": money(refunded, order.currency),
            "refundable": money(max(paid - refunded, Decimal(0)), order.currency),
            "payout": money(max(paid - refunded, Decimal(0)), order.currency),
            "released": released,
            "released_at": utc(order.completed_at) if released else None,
            "refunds": [_refund(reader, refund) for refund in record.refunds],
        }
    )


def policy_section(case: Dispute) -> PolicyOut:
    policy = case.policy
    return PolicyOut.model_validate(
        {
            "version": policy.version,
            # Absolute: the file is read on paper and by other systems, away from Parley's pages.
            "url": settings.PARLEY_SITE_URL + reverse("policies:version", args=[policy.version]),
            "in_force_from": utc(policy.created_at),
        }
    )


def rating_section(case: Dispute) -> RatingOut | None:
    rating = getattr(case, "rating", None)
    if rating is None:
        return None
    return RatingOut.model_validate(
        {"stars": rating.stars, "comment": rating.comment, "at": utc(rating.created_at)}
    )
