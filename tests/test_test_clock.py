"""A sandbox's test clock (disputes.services.sandbox): the case's next clock falls due now and
acts exactly as the engine's would, with its notes and webhooks, and nothing else about time
changes. Outside a sandbox it is refused and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ActionRefused, SandboxOnly
from core.moments import moment
from disputes import services
from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Refund,
    Remedy,
)
from integration.models import WebhookDelivery
from notifications.models import Notification
from tests.factories import BuyerFactory, open_dispute, ruled_dispute
from tests.snapshots import table_digests
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

OFF = "The test clock works only in a sandbox deployment (PARLEY_SANDBOX=1)."


@pytest.fixture
def sandbox(settings):
    settings.PARLEY_SANDBOX = True


def _deadlines(dispute):
    return list(dispute.deadlines.order_by("pk").values())


def _pending(dispute):
    return list(
        dispute.deadlines.filter(status=DeadlineStatus.PENDING).values_list("kind", flat=True)
    )


def _codes(dispute):
    return list(dispute.events.order_by("created_at", "pk").values_list("code", flat=True))


def test_advancing_fires_exactly_the_next_clock_with_its_notes_and_webhooks(sandbox, buyer, seller):
    integration, endpoint = integration_with_endpoint()
    order = integrated_order(integration, buyer=buyer, seller=seller)
    dispute = open_on(order, buyer)
    was_due = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER).due_at
    WebhookDelivery.objects.all().delete()
    now = timezone.now()

    step = services.dispute_advance_clock(dispute=dispute, by=buyer, now=now)

    assert step is not None and step.kind == DeadlineKind.SELLER_ANSWER
    assert step.was_due_at == was_due
    assert step.happened == [
        f"The 5 days to answer ended on {moment(now)}: the buyer's claim was carried out."
    ]
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.PARTIALLY_REFUNDED
    assert [r.amount for r in Refund.objects.filter(order=order)] == [Decimal("20.00")]
    fired = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    assert (fired.status, fired.due_at, fired.closed_at) == (DeadlineStatus.FIRED, now, now)
    assert fired.base_due_at == was_due  # the policy's time is kept on the row
    # The move on the record, then the clock's own act, dated now (by Parley, as the engine's).
    sandbox_event, act = dispute.events.order_by("created_at", "pk")[1:3]
    assert sandbox_event.code == "disputes.sandbox.advanced" and sandbox_event.actor == buyer
    assert sandbox_event.data["by"] == "buyer" and sandbox_event.data["kind"] == "seller_answer"
    assert sandbox_event.text == (
        f"Test clock: Seller's answer moved from {moment(was_due)} to now (sandbox)."
    )
    assert (act.code, act.actor, act.created_at) == ("disputes.rule.seller_silence", None, now)
    # Both parties told of the act (once each), nobody of the move; no reminder went out.
    notes = Notification.objects.filter(dedupe_key__contains=f":{dispute.pk}:")
    assert notes.filter(dedupe_key__contains=":disputes.rule.seller_silence:").count() == 2
    assert not notes.filter(dedupe_key__contains="sandbox").exists()
    assert not Notification.objects.filter(dedupe_key__contains=":remind:").exists()
    # The same webhooks as the engine's act sends (test_webhooks), and none for the move.
    types = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("sequence")
    assert list(types.values_list("event_type", flat=True)) == ["refund.created", "case.closed"]


def test_another_cases_clocks_and_the_engine_are_untouched(sandbox, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    other = open_dispute(buyer=BuyerFactory(username="other"), seller=seller)
    before = _deadlines(other)

    services.dispute_advance_clock(dispute=dispute, by=seller)

    assert _deadlines(other) == before
    assert _codes(other) == ["disputes.dispute.opened"]
    # The engine, run now, finds nothing due: neither a late reminder nor the other case.
    assert enforce_deadlines().total == 0
    assert not Notification.objects.filter(dedupe_key__contains=":remind:").exists()


def test_the_later_clocks_of_the_case_keep_their_time(sandbox, buyer, seller):
    """A return agreed by the seller's silence: its shipping clock starts from now, with its
    reminders ahead of it, and is not moved by the step that started it."""
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    now = timezone.now()
    services.dispute_advance_clock(dispute=dispute, by=buyer, now=now)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_RETURN
    clock = dispute.deadlines.get(status=DeadlineStatus.PENDING)
    assert clock.kind == DeadlineKind.RETURN_SHIPMENT
    assert clock.due_at == now + timedelta(days=10)
    assert clock.next_reminder_at == clock.due_at - timedelta(hours=48)


def test_to_the_end_runs_the_return_clocks_until_none_is_left(sandbox, buyer, seller):
    """The seller is silent on a return claim, then the buyer never ships it back."""
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    steps = services.dispute_advance_to_end(dispute=dispute, by=buyer)

    assert [step.kind for step in steps] == ["seller_answer", "return_shipment"]
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.RETURN_NOT_SHIPPED
    assert _pending(dispute) == []
    assert _codes(dispute)[-2:] == ["disputes.sandbox.advanced", "disputes.rule.return_not_shipped"]
    assert not Refund.objects.exists()
    assert services.dispute_advance_to_end(dispute=dispute, by=buyer) == []


def test_a_return_never_confirmed_is_refunded(sandbox, buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET00000042"
    )
    step = services.dispute_advance_clock(dispute=dispute, by=seller)

    assert step is not None and step.kind == DeadlineKind.RETURN_RECEIPT
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED
    assert _codes(dispute)[-1] == "disputes.rule.return_receipt"
    assert Refund.objects.filter(order=dispute.order).count() == 1


def test_the_negotiation_limit_sends_the_case_to_an_arbiter(sandbox, buyer, seller, arbiter):
    """Day 16: no agreement, the case escalates; then no clock is left until an arbiter acts."""
    integration, endpoint = integration_with_endpoint()
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    WebhookDelivery.objects.all().delete()

    steps = services.dispute_advance_to_end(dispute=dispute, by=arbiter)

    assert [step.kind for step in steps] == ["negotiation_limit"]
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ESCALATED
    assert _codes(dispute)[-1] == "disputes.rule.negotiation_limit"
    advanced = dispute.events.get(code="disputes.sandbox.advanced")
    assert advanced.actor == arbiter and advanced.data["by"] == "staff"
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert list(deliveries.values_list("event_type", flat=True)) == ["case.escalated"]


def test_the_appeal_window_ends_and_the_ruling_is_final(sandbox, buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    assert dispute.final_at is None

    step = services.dispute_advance_clock(dispute=dispute, by=None)

    assert step is not None and step.kind == DeadlineKind.APPEAL
    dispute.refresh_from_db()
    assert dispute.final_at is not None and not dispute.appeal_open
    assert _codes(dispute)[-1] == "disputes.rule.ruling_final"
    advanced = dispute.events.get(code="disputes.sandbox.advanced")
    assert advanced.actor is None and advanced.data["by"] == "marketplace"
    assert "through the marketplace's API" in advanced.text


def test_a_case_with_no_clock_running_is_left_as_it_is(sandbox, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    before = table_digests()
    assert services.dispute_advance_clock(dispute=dispute, by=buyer) is None
    assert table_digests() == before


def test_advancing_is_refused_outside_a_sandbox(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    before = table_digests()
    for act in (services.dispute_advance_clock, services.dispute_advance_to_end):
        with pytest.raises(SandboxOnly) as refused:
            act(dispute=dispute, by=buyer)
        assert refused.value.message == OFF
    assert table_digests() == before


def test_only_the_parties_and_staff_move_a_case_clock(sandbox, buyer, seller, other_buyer):
    dispute = open_dispute(buyer=buyer, seller=seller)
    before = table_digests()
    with pytest.raises(ActionRefused):
        services.dispute_advance_clock(dispute=dispute, by=other_buyer)
    assert table_digests() == before
    assert Deadline.objects.filter(dispute=dispute, status=DeadlineStatus.PENDING).count() == 2
