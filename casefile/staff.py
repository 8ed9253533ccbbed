"""The staff-only section of a case file: what the arbiter's case page shows and a party's
does not (the assignment, the resolution target, the evidence request, the seller's record and
the buyer's history, read as arbitration.selectors reads them for that page)."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from accounts.models import User
from arbitration.selectors import buyer_history, seller_record
from disputes.models import Dispute

from .reader import utc
from .schemas import StaffOut

RECORD_DAYS = 90  # the arbiter's page reads the seller's last 90 days


def staff_section(case: Dispute, person: Callable[[User | None], dict[str, str]]) -> StaffOut:
    record = seller_record(case.store_id, timezone.now(), days=RECORD_DAYS)
    history: dict[str, Any] = buyer_history(case.order.buyer_id)
    return StaffOut.model_validate(
        {
            "assignee": person(case.assignee) if case.assignee is not None else None,
            "assigned_at": utc(case.assigned_at),
            "target_at": utc(case.target_at),
            "evidence_requested_from": case.evidence_requested_from,
            "evidence_due_at": utc(case.evidence_due_at),
            "no_answer_from": case.no_answer_from,
            "seller_record": {
                "days": RECORD_DAYS,
                "orders_shipped": record.orders_shipped,
                "disputes": record.disputes,
                "rulings_against": record.rulings_against,
                "violations": record.violations,
            },
            "buyer_history": history,
        }
    )
