"""The engine acts on batches of rows: one refused act does not hold up the others, and a run
in small batches has the outcome of a run in one."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeEvent,
    DisputeState,
    Refund,
)
from notifications.models import Notification
from tests.factories import open_dispute
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _seller_silence_due(dispute):
    return Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER).due_at


def test_a_refused_act_is_retired_and_the_rest_of_its_batch_still_acts(buyer, seller):
    disputes = [open_dispute(buyer=buyer, seller=seller) for _ in range(3)]
    blocked = disputes[1]
    # Refunded outside the dispute since it was filed: the buyer's 20.00 no longer fits.
    Refund.objects.create(
        order=blocked.order,
        amount=blocked.order.payment.amount - Decimal("5.00"),
        currency="USD",
        reason="goodwill",
        source="support",
        idempotency_key="goodwill",
        created_at=timezone.now(),
    )
    after_all = max(_seller_silence_due(d) for d in disputes) + timedelta(seconds=1)

    with time_machine.travel(after_all, tick=False):
        report = enforce_deadlines()

    assert report.acted["dispute deadlines"] == 2 and report.failed == 0
    for dispute in disputes:
        dispute.refresh_from_db()
    assert [d.state for d in disputes] == [
        DisputeState.RESOLVED,
        DisputeState.AWAITING_SELLER,
        DisputeState.RESOLVED,
    ]
    paid = Refund.objects.exclude(idempotency_key="goodwill")
    assert sorted(paid.values_list("dispute_id", "amount")) == [
        (disputes[0].pk, Decimal("20.00")),
        (disputes[2].pk, Decimal("20.00")),
    ]
    retired = Deadline.objects.get(dispute=blocked, kind=DeadlineKind.SELLER_ANSWER)
    assert retired.status == DeadlineStatus.CANCELLED


def test_small_batches_have_the_outcome_of_one_big_batch(buyer, seller):
    disputes = [open_dispute(buyer=buyer, seller=seller) for _ in range(5)]
    after_all = max(_seller_silence_due(d) for d in disputes) + timedelta(seconds=1)

    with time_machine.travel(after_all, tick=False):
        report = enforce_deadlines(batch_size=2)
        again = enforce_deadlines(batch_size=2)

    assert report.acted["dispute deadlines"] == 5 and report.batches >= 3
    assert again.acted == {}
    assert set(Refund.objects.values_list("dispute_id", flat=True)) == {d.pk for d in disputes}
    assert Refund.objects.count() == 5
    rule_events = DisputeEvent.objects.filter(code="disputes.rule.seller_silence")
    assert sorted(rule_events.values_list("dispute_id", flat=True)) == sorted(
        d.pk for d in disputes
    )
    told = Notification.objects.filter(dedupe_key__contains=":disputes.rule.seller_silence:")
    assert told.count() == 10  # buyer and seller, once each


def test_the_engines_refunds_are_settled_by_the_worker(
    buyer, seller, monkeypatch, django_capture_on_commit_callbacks
):
    """A provider call per refund must not hold up the clock: the engine queues them."""
    from disputes import ledger, tasks

    queued = []

    def send_task(name, kwargs, **_):
        if name == ledger.SETTLE_REFUNDS_TASK:
            queued.append(kwargs)

    monkeypatch.setattr(ledger.current_app, "send_task", send_task)
    dispute = open_dispute(buyer=buyer, seller=seller)
    with (
        time_machine.travel(_seller_silence_due(dispute) + timedelta(seconds=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enforce_deadlines()

    refund = Refund.objects.get(dispute=dispute)
    assert queued == [{"refund_ids": [refund.pk]}] and refund.status == "pending"
    assert tasks.settle_refunds_task(refund_ids=[refund.pk]) == 1
    refund.refresh_from_db()
    assert refund.status == "settled" and refund.provider_reference
