"""One appeal, within the window, decided by another arbiter; otherwise the ruling is final."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.models import RulingOutcome
from core.errors import ActionRefused, StaleState
from core.money import Money
from disputes import deadlines, ledger, services
from disputes.models import Deadline, DeadlineKind, DisputeState, Outcome, Refund, Remedy
from orders import services as order_services
from orders.models import OrderState
from tests.factories import ArbiterFactory, open_dispute, ruled_dispute
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _decision(outcome, amount=None):
    return arbitration.Decision(
        outcome=outcome,
        rationale="Decided on the photos.",
        policy_clause="damaged",
        amount=Decimal(amount) if amount else None,
    )


@pytest.fixture
def ruled(buyer, seller, arbiter):
    """A case ruled a partial refund of 20.00 out of 50.00 paid."""
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(
        dispute=dispute, arbiter=arbiter, decision=_decision(RulingOutcome.PARTIAL_REFUND, "20")
    )
    dispute.refresh_from_db()
    return dispute


def _appeal(dispute, who, now=None):
    return services.dispute_appeal(dispute=dispute, actor=who, statement="Look again.", now=now)


def test_window_edges(ruled, seller):
    end = ruled.ruled_at + timedelta(days=7)
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        dispute = _appeal(ruled, seller)
    assert dispute.state == DisputeState.APPEALED and dispute.appealed_by == seller


def test_an_appeal_once_the_window_closed_finds_the_ruling_final(ruled, seller):
    # Deadlines decide (policy.md): at the window's end the ruling is final, engine or not.
    end = ruled.ruled_at + timedelta(days=7)
    late = time_machine.travel(end + timedelta(seconds=1), tick=False)
    with late, pytest.raises(StaleState, match="The 7 days to appeal ended on"):
        _appeal(ruled, seller)
    ruled.refresh_from_db()
    assert ruled.final_at == end and ruled.appealed_at is None


def test_an_extended_appeal_window_is_honoured(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    clock = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.APPEAL, status="pending")
    deadlines.deadline_extend(deadline=clock, actor=arbiter, hours=48, reason="Seller was ill")
    late = dispute.ruled_at + timedelta(days=7, hours=1)
    dispute = services.dispute_appeal(dispute=dispute, actor=seller, statement="x", now=late)
    assert dispute.state == DisputeState.APPEALED


def test_only_once_and_only_by_a_party(ruled, buyer, seller, other_buyer):
    with pytest.raises(ActionRefused):
        _appeal(ruled, other_buyer)
    _appeal(ruled, seller)
    with pytest.raises(ActionRefused):
        _appeal(ruled, buyer)


def test_an_appeal_never_goes_to_the_arbiter_who_ruled(ruled, seller, arbiter):
    _appeal(ruled, seller)
    assert arbitration.case_take_next(arbiter=arbiter) is None
    lead = ArbiterFactory(is_lead_arbiter=True)
    with pytest.raises(ActionRefused, match="another arbiter"):
        arbitration.case_reassign(dispute=ruled, lead=lead, to=arbiter)
    other = ArbiterFactory()
    assert arbitration.case_take_next(arbiter=other) == ruled


def test_upheld_on_appeal_is_final_and_moves_no_money(ruled, seller):
    _appeal(ruled, seller)
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    ruling = arbitration.case_decide_appeal(
        dispute=ruled, arbiter=other, uphold=True, decision=_decision("")
    )
    ruled.refresh_from_db()
    assert ruled.state == DisputeState.RESOLVED and ruled.final_at
    assert ruling.upheld and ruling.on_appeal
    assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]


def test_replaced_on_appeal_refunds_only_the_difference(ruled, buyer):
    _appeal(ruled, buyer)
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(
        dispute=ruled,
        arbiter=other,
        uphold=False,
        decision=_decision(RulingOutcome.FULL_REFUND),
    )
    ruled.refresh_from_db()
    assert sorted(r.amount for r in Refund.objects.all()) == [Decimal("20.00"), Decimal("30.00")]
    assert ruled.outcome == Outcome.REFUNDED and ruled.final_at
    with pytest.raises(ActionRefused):
        _appeal(ruled, buyer)  # final


def test_replacement_never_pays_beyond_what_was_paid(ruled, buyer):
    _appeal(ruled, buyer)
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    with pytest.raises(ActionRefused, match="what was paid"):
        arbitration.case_decide_appeal(
            dispute=ruled,
            arbiter=other,
            uphold=False,
            decision=_decision(RulingOutcome.PARTIAL_REFUND, "50.01"),
        )


def test_a_full_refund_on_appeal_stops_at_what_is_left(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter, amount="10")
    # Another refund on the same order (e.g. an earlier dispute) leaves 30 of 50.
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


def test_without_appeal_the_ruling_becomes_final_and_the_payout_follows(ruled, buyer):
    order = ruled.order
    order = order_services.order_confirm_receipt(order=order, actor=buyer, now=ruled.ruled_at)
    due = ruled.deadlines.get(kind=DeadlineKind.APPEAL, status="pending").due_at
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        enforce_deadlines()
    ruled.refresh_from_db()
    assert ruled.final_at is None
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    ruled.refresh_from_db()
    assert ruled.final_at == due
    assert ruled.events.last().code == "disputes.rule.ruling_final"
    # The payout waited for finality; protection (15 days from receipt) ends later still.
    with time_machine.travel(order.protection_ends_at + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED


def test_the_payout_waits_while_a_ruling_can_still_be_appealed(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=dispute.order, actor=buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    late = order.protection_ends_at - timedelta(days=1)
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=_decision(RulingOutcome.CLAIM_REJECTED),
        now=late,
    )
    with time_machine.travel(order.protection_ends_at + timedelta(hours=1), tick=False):
        enforce_deadlines()
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED  # appeal window still open
    with time_machine.travel(late + timedelta(days=7, seconds=1), tick=False):
        enforce_deadlines()
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert order.completed_at == late + timedelta(days=7)


def test_parties_appeal_from_their_page(client, ruled, seller):
    client.force_login(seller)
    page = client.get(reverse("disputes:detail", args=[ruled.reference])).content.decode()
    assert "Appeal the ruling" in page and "the ruling becomes final" in page
    client.post(
        reverse("disputes:appeal", args=[ruled.reference]),
        {"statement": "The buyer dropped it."},
    )
    ruled.refresh_from_db()
    assert ruled.state == DisputeState.APPEALED


def test_target_date_and_remedy_for_appeal_offer(ruled):
    assert ruled.rulings.count() == 1
    assert ruled.agreed_offer.remedy == Remedy.PARTIAL_REFUND
    assert timezone.now() < ruled.target_at


def test_the_seller_can_appeal_after_the_return_was_shipped(buyer, seller, arbiter):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="return_then_refund", amount=None
    )
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


@pytest.fixture
def taken(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    dispute.refresh_from_db()
    return dispute


def test_an_answered_evidence_request_stops_its_clock(taken, seller, arbiter):
    arbitration.case_request_evidence(
        dispute=taken, arbiter=arbiter, party="seller", request="Photo of the label?", hours=48
    )
    taken.refresh_from_db()
    assert taken.evidence_requested_from == "seller"
    assert taken.deadlines.filter(kind="evidence_request", status="pending").exists()
    services.dispute_post_message(dispute=taken, actor=seller, body="Here.")
    taken.refresh_from_db()
    assert not taken.evidence_requested_from
    assert not taken.deadlines.filter(kind="evidence_request", status="pending").exists()


def test_an_unanswered_request_returns_the_case_to_the_queue_marked(taken, arbiter):
    arbitration.case_request_evidence(
        dispute=taken, arbiter=arbiter, party="buyer", request="Photo of the box?", hours=24
    )
    due = taken.deadlines.get(kind="evidence_request", status="pending").due_at
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        enforce_deadlines()
    taken.refresh_from_db()
    assert taken.assignee == arbiter
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    taken.refresh_from_db()
    assert taken.assignee is None and taken.no_answer_from == "buyer"
    assert taken.state == DisputeState.ESCALATED
    assert taken.events.last().code == "disputes.rule.evidence_overdue"


def test_an_extended_evidence_request_shows_its_new_due_time_on_the_case_page(
    client, taken, arbiter
):
    arbitration.case_request_evidence(
        dispute=taken, arbiter=arbiter, party="seller", request="Photo of the label?", hours=24
    )
    clock = taken.deadlines.get(kind=DeadlineKind.EVIDENCE_REQUEST, status="pending")
    clock = deadlines.deadline_extend(deadline=clock, actor=arbiter, hours=48, reason="Holiday")
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[taken.reference])).content.decode()
    assert f"until <strong>{clock.due_at:%-d %b %Y, %H:%M} UTC" in page
