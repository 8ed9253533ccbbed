"""Cases a second reviewer found; each once misbehaved."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from arbitration import services as arbitration
from core.errors import ActionRefused, StaleState
from disputes import services
from disputes.deadlines import deadline_extend
from disputes.models import Deadline, DeadlineKind, DisputeState, Reason, Refund, Remedy
from disputes.rules import opening_window
from notifications.models import Notification
from orders import services as order_services
from tests.factories import ArbiterFactory, open_dispute
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _ruled(buyer, seller, arbiter, outcome="partial_refund", amount="10"):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome=outcome,
            rationale="r",
            policy_clause="damaged",
            amount=Decimal(amount) if amount else None,
        ),
    )
    dispute.refresh_from_db()
    return dispute


def test_seller_cannot_accept_a_claim_changed_after_they_saw_it(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    seen = services.current_offer(dispute, "buyer")
    services.dispute_modify(
        dispute=dispute, actor=buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    with pytest.raises(StaleState, match="changed the claim"):
        services.dispute_seller_accept(dispute=dispute, actor=seller, offer_id=seen.pk)
    assert not Refund.objects.exists()


def test_no_new_dispute_while_a_ruling_can_be_appealed(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter)
    window = opening_window(dispute.order, timezone.now())
    assert not window.allowed and dispute.reference in window.explanation


def test_a_ruling_ends_an_open_evidence_request(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_request_evidence(
        dispute=dispute, arbiter=arbiter, party="seller", request="Label?", hours=48
    )
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome="claim_rejected", rationale="r", policy_clause="damaged"
        ),
    )
    dispute.refresh_from_db()
    assert not dispute.evidence_requested_from and dispute.evidence_due_at is None
    assert not dispute.deadlines.filter(kind="evidence_request", status="pending").exists()


def test_goods_in_transit_clock_retires_once_receipt_is_confirmed(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="Delivered.")
    order_services.order_confirm_receipt(order=dispute.order, actor=buyer)
    due = dispute.order.promised_delivery_at
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_BUYER


def test_receipt_is_not_confirmed_behind_a_not_received_claim(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
    due = dispute.order.promised_delivery_at
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    dispute.order.refresh_from_db()
    assert dispute.order.state == "shipped"


def test_a_full_refund_on_appeal_stops_at_what_is_left(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter, amount="10")
    # Another refund on the same order (e.g. an earlier dispute) leaves 30 of 50.
    from core.money import Money
    from disputes import ledger

    ledger.refund_issue(
        order=dispute.order,
        amount=Money(Decimal("10"), "USD"),
        reason="earlier",
        source="test",
        idempotency_key="earlier",
    )
    services.dispute_appeal(dispute=dispute, actor=buyer, statement="All of it")
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(
        dispute=dispute,
        arbiter=other,
        uphold=False,
        decision=arbitration.Decision(
            outcome="full_refund", rationale="r", policy_clause="damaged"
        ),
    )
    total = sum(r.amount for r in Refund.objects.filter(order=dispute.order))
    assert total == Decimal("50.00")


def test_an_extended_deadline_gets_fresh_reminders(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    first_due = deadline.due_at
    with time_machine.travel(first_due - timedelta(hours=47), tick=False):
        enforce_deadlines()
    deadline_extend(deadline=deadline, actor=arbiter, hours=72, reason="Holiday")
    deadline.refresh_from_db()
    with time_machine.travel(deadline.due_at - timedelta(hours=47), tick=False):
        enforce_deadlines()
    reminders = Notification.objects.filter(recipient=seller, subject__startswith="Reminder")
    assert reminders.count() == 2


def test_an_extended_appeal_window_is_honoured(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter)
    clock = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.APPEAL, status="pending")
    deadline_extend(deadline=clock, actor=arbiter, hours=48, reason="Seller was ill")
    late = dispute.ruled_at + timedelta(days=7, hours=1)
    dispute = services.dispute_appeal(dispute=dispute, actor=seller, statement="x", now=late)
    assert dispute.state == DisputeState.APPEALED


def test_nothing_left_to_refund_is_refused_clearly(buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    with pytest.raises(ActionRefused, match="already been refunded"):
        services.dispute_open(
            order=dispute.order,
            actor=buyer,
            reason=Reason.WRONG_ITEM,
            proposal=services.Proposal(Remedy.FULL_REFUND),
            description="again",
        )


def test_both_parties_hear_of_agreements_escalations_and_withdrawals(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    for person in (buyer, seller):
        subjects = list(
            Notification.objects.filter(recipient=person).values_list("subject", flat=True)
        )
        assert any("with an arbiter" in s for s in subjects), subjects
        assert any("withdrawn" in s for s in subjects), subjects


def test_the_seller_can_appeal_after_the_return_was_shipped(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter, outcome="return_then_refund", amount=None)
    assert dispute.state == DisputeState.AWAITING_RETURN
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000009"
    )
    dispute = services.dispute_appeal(dispute=dispute, actor=seller, statement="Used item.")
    assert dispute.state == DisputeState.APPEALED
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(
        dispute=dispute,
        arbiter=other,
        uphold=True,
        decision=arbitration.Decision(outcome="", rationale="Stands.", policy_clause="damaged"),
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RETURN_IN_TRANSIT and not Refund.objects.exists()
    services.dispute_confirm_return(dispute=dispute, actor=seller)
    assert Refund.objects.get().amount == Decimal("50.00")
