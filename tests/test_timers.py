"""Every timer of the policy: one second early nothing happens, one second late it acts once,
and running the engine again changes nothing more."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from disputes import services
from disputes.deadlines import deadline_extend, deadline_pause, deadline_resume
from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Reason,
    Refund,
    Remedy,
)
from notifications.models import Notification
from orders import services as order_services
from orders.models import OrderState
from tests.factories import open_dispute, shipped_order
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


def _run_at(moment):
    with time_machine.travel(moment, tick=False):
        return enforce_deadlines()


def _due(dispute, kind):
    return Deadline.objects.get(dispute=dispute, kind=kind, status=DeadlineStatus.PENDING).due_at


def _reload(obj):
    obj.refresh_from_db()
    return obj


def test_seller_silence_pays_the_buyers_claim(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    due = _due(dispute, DeadlineKind.SELLER_ANSWER)

    assert "dispute deadlines" not in _run_at(due - SECOND).acted  # (a reminder went out)
    assert _reload(dispute).state == DisputeState.AWAITING_SELLER

    report = _run_at(due + SECOND)
    assert report.acted == {"dispute deadlines": 1}
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.RESOLVED
    assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]
    event = dispute.events.last()
    assert event.actor is None and event.code == "disputes.rule.seller_silence"
    assert event.created_at == due and event.data["ran_at"] == (due + SECOND).isoformat()
    assert (
        Notification.objects.filter(dedupe_key__contains=":disputes.rule.seller_silence:").count()
        == 2
    )

    assert _run_at(due + timedelta(hours=1)).total == 0
    assert Refund.objects.count() == 1


def test_seller_silence_on_a_return_claim_starts_the_return(buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    _run_at(_due(dispute, DeadlineKind.SELLER_ANSWER) + SECOND)
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.AWAITING_RETURN
    assert not Refund.objects.exists()


def test_negotiation_limit_escalates_on_day_sixteen(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    due = _due(dispute, DeadlineKind.NEGOTIATION_LIMIT)
    assert due == dispute.opened_at + timedelta(days=15)

    _run_at(due - SECOND)
    assert _reload(dispute).state == DisputeState.AWAITING_BUYER
    _run_at(due + SECOND)
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.ESCALATED
    assert dispute.events.last().code == "disputes.rule.negotiation_limit"
    assert _run_at(due + timedelta(days=1)).total == 0


def test_goods_in_transit_escalates_when_the_delivery_limit_runs_out(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="It's on its way.")
    due = _due(dispute, DeadlineKind.GOODS_IN_TRANSIT)
    assert due == dispute.order.promised_delivery_at

    _run_at(due - SECOND)
    assert _reload(dispute).state == DisputeState.AWAITING_BUYER
    _run_at(due + SECOND)
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.ESCALATED
    assert dispute.events.last().code == "disputes.rule.goods_in_transit"


def test_goods_in_transit_clock_retires_once_receipt_is_confirmed(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="Delivered.")
    order_services.order_confirm_receipt(order=dispute.order, actor=buyer)
    due = dispute.order.promised_delivery_at
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_BUYER


def test_receipt_is_confirmed_when_the_delivery_limit_runs_out(buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller)
    due = order.promised_delivery_at
    _run_at(due - SECOND)
    assert _reload(order).state == OrderState.SHIPPED
    assert _run_at(due + SECOND).acted == {"automatic receipt": 1}
    order = _reload(order)
    assert order.state == OrderState.RECEIVED and order.receipt_confirmed_automatically
    assert order.received_at == due
    assert order.protection_ends_at == due + timedelta(days=15)
    assert Notification.objects.get(recipient=buyer).words.subject.endswith("automatically")
    assert _run_at(due + timedelta(minutes=5)).total == 0


def test_receipt_is_not_confirmed_behind_a_not_received_claim(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
    due = dispute.order.promised_delivery_at
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    dispute.order.refresh_from_db()
    assert dispute.order.state == "shipped"


def test_protection_end_completes_the_order_and_releases_the_payout(buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=order, actor=buyer)
    due = order.protection_ends_at
    _run_at(due - SECOND)
    assert _reload(order).state == OrderState.RECEIVED
    _run_at(due + SECOND)
    order = _reload(order)
    assert order.state == OrderState.COMPLETED and order.completed_at == due
    assert "payout released" in Notification.objects.get(recipient=seller).words.subject
    assert _run_at(due + timedelta(days=1)).total == 0


def test_an_open_dispute_holds_the_payout_until_it_closes(buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=order, actor=buyer)
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.WRONG_ITEM,
        proposal=services.Proposal(Remedy.REPLACEMENT),
        description="Wrong colour.",
    )
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    end = order.protection_ends_at
    _run_at(end + SECOND)
    assert _reload(order).state == OrderState.RECEIVED
    closed = end + timedelta(hours=2)
    services.dispute_cancel(dispute=dispute, actor=buyer, now=closed)
    _run_at(closed + SECOND)
    order = _reload(order)
    assert order.state == OrderState.COMPLETED and order.completed_at == closed


def _return_agreed(buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    return services.dispute_seller_accept(dispute=dispute, actor=seller)


def test_return_not_shipped_in_time_closes_for_the_seller(buyer, seller):
    dispute = _return_agreed(buyer, seller)
    due = _due(dispute, DeadlineKind.RETURN_SHIPMENT)
    assert due == dispute.agreed_at + timedelta(days=10)
    _run_at(due - SECOND)
    assert _reload(dispute).state == DisputeState.AWAITING_RETURN
    _run_at(due + SECOND)
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.RESOLVED
    assert dispute.outcome == Outcome.RETURN_NOT_SHIPPED
    assert "closed in the seller's favour" in dispute.events.last().text
    assert not Refund.objects.exists()


def test_return_not_confirmed_in_time_is_refunded(buyer, seller):
    dispute = _return_agreed(buyer, seller)
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000001"
    )
    due = _due(dispute, DeadlineKind.RETURN_RECEIPT)
    _run_at(due - SECOND)
    assert _reload(dispute).state == DisputeState.RETURN_IN_TRANSIT
    _run_at(due + SECOND)
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.REFUNDED
    assert Refund.objects.get().amount == Decimal("50.00")
    assert _run_at(due + timedelta(days=2)).total == 0
    assert Refund.objects.count() == 1


def test_reminders_48_and_24_hours_before_to_the_party_who_must_act(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    due = _due(dispute, DeadlineKind.SELLER_ANSWER)
    reminders = Notification.objects.filter(recipient=seller, code="disputes.note.reminder")

    _run_at(due - timedelta(hours=48) - SECOND)
    assert not reminders.exists()
    _run_at(due - timedelta(hours=48) + SECOND)
    assert reminders.count() == 1
    _run_at(due - timedelta(hours=30))
    assert reminders.count() == 1
    _run_at(due - timedelta(hours=24) + SECOND)
    assert reminders.count() == 2
    _run_at(due - timedelta(hours=1))
    assert reminders.count() == 2
    assert not Notification.objects.filter(recipient=buyer, code="disputes.note.reminder").exists()
    on_the_record = dispute.events.filter(code="disputes.deadline.reminded")
    assert [e.data["party"] for e in on_the_record] == ["seller", "seller"]
    assert "The seller was reminded: Seller's answer is due" in on_the_record[0].text


def test_catch_up_after_downtime_acts_in_due_order_with_on_time_outcomes(buyer, seller):
    """Workers down for 20 days: the dispute is refunded as of day 5 (seller silence), never
    escalated on day 16, and the order completes when protection would have ended."""
    dispute = open_dispute(buyer=buyer, seller=seller)
    opened = dispute.opened_at
    report = _run_at(opened + timedelta(days=40))
    dispute = _reload(dispute)
    assert dispute.state == DisputeState.RESOLVED
    assert dispute.closed_at == opened + timedelta(days=5)
    codes = list(dispute.events.values_list("code", flat=True))
    assert "disputes.rule.negotiation_limit" not in codes
    order = _reload(dispute.order)
    # Receipt was confirmed automatically at the promised date, then protection ran out.
    assert order.state == OrderState.COMPLETED
    assert order.received_at == order.promised_delivery_at
    assert order.completed_at == order.protection_ends_at
    assert report.acted == {"dispute deadlines": 1, "automatic receipt": 1, "protection end": 1}


def test_an_extended_deadline_does_not_fire_at_its_old_time(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    old_due = deadline.due_at
    deadline_extend(deadline=deadline, actor=arbiter, hours=48, reason="Seller is travelling.")
    _run_at(old_due + SECOND)
    assert _reload(dispute).state == DisputeState.AWAITING_SELLER
    _run_at(old_due + timedelta(hours=48) + SECOND)
    assert _reload(dispute).state == DisputeState.RESOLVED
    event = dispute.events.get(code="disputes.deadline.extended")
    assert event.actor == arbiter and "Seller is travelling." in event.text


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
    reminders = Notification.objects.filter(recipient=seller, code="disputes.note.reminder")
    assert reminders.count() == 2


def test_a_paused_deadline_waits_and_resumes_with_the_time_left(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    start = timezone.now()
    time_left = deadline.due_at - start
    deadline_pause(deadline=deadline, actor=arbiter, reason="Checking with the carrier.", now=start)
    later = start + timedelta(days=6)  # past the original answer deadline
    _run_at(later)
    assert _reload(dispute).state == DisputeState.AWAITING_SELLER
    deadline = deadline_resume(
        deadline=deadline, actor=arbiter, reason="Carrier answered.", now=later
    )
    assert deadline.due_at == later + time_left
    _run_at(later + time_left + SECOND)
    assert _reload(dispute).state == DisputeState.RESOLVED


def test_only_staff_extend_deadlines(buyer, seller):
    from core.errors import ActionRefused

    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    with pytest.raises(ActionRefused, match="Only Parley staff"):
        deadline_extend(deadline=deadline, actor=seller, hours=100, reason="I want more time")


def test_a_deadline_that_no_longer_applies_does_nothing(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    due = _due(dispute, DeadlineKind.SELLER_ANSWER)
    services.dispute_seller_accept(dispute=dispute, actor=seller, now=due - timedelta(minutes=1))
    _run_at(due + SECOND)
    assert Refund.objects.count() == 1  # the seller's acceptance, not a second one
    assert _reload(dispute).events.filter(actor__isnull=True).count() == 0


def test_staff_extend_a_clock_from_the_clocks_page(client, buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    client.force_login(arbiter)
    url = f"/arbitration/disputes/{dispute.reference}/clocks/"
    response = client.post(
        url, {"deadline": deadline.pk, "action": "extend", "hours": "", "reason": "x"}
    )
    assert "How many hours?" in response.content.decode()
    client.post(
        url,
        {"deadline": deadline.pk, "action": "extend", "hours": "24", "reason": "Carrier strike"},
    )
    assert _reload(deadline).due_at == deadline.base_due_at + timedelta(hours=24)
    client.force_login(buyer)
    page = client.get(f"/disputes/{dispute.reference}/").content.decode()
    assert "extended by 24 hours" in page and "Carrier strike" in page
