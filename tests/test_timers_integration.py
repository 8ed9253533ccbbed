"""Timers against the real moving parts: a Celery worker over Redis, a broker that goes away,
and two engines racing a seller on PostgreSQL."""

import contextlib
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from kombu import pools

from config.celery import app
from core.errors import StaleState
from disputes import services
from disputes.models import DeadlineKind, DeadlineStatus, DisputeState, Refund
from notifications import services as notification_services
from notifications.models import Notification
from notifications.tasks import sweep_outbox_task
from tests.factories import BuyerFactory, SellerFactory, open_dispute
from timers.engine import enforce_deadlines
from timers.tasks import enforce_deadlines_task

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import local_redis

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(check, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def _use_broker(url: str) -> None:
    """Point the Celery app at another broker, dropping pooled connections to the old one."""
    app.conf.broker_url = url  # type: ignore[misc]  # read-only in celery-types, not in Celery
    pools.reset()  # kombu's process-wide connection and producer pools
    # Celery's private pools: no public way to drop them.
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def broker(tmp_path_factory):
    """A Redis of the test's own, so that it can be stopped and started again."""
    folder = tmp_path_factory.mktemp("redis")
    redis = local_redis.start_throwaway_redis(folder)
    original = app.conf.broker_url
    _use_broker(redis.url)
    state = {"url": redis.url, "server": redis, "folder": folder}
    yield state
    # The server running now: a test that restarted Redis put the new one here (stopping only
    # the first left one redis-server behind per run).
    state["server"].stop()
    _use_broker(original)
    notification_services._broker_down_until = None  # forget the outage for later tests


def _worker():
    from celery.contrib.testing.worker import start_worker

    return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10)


def test_a_real_worker_fires_a_timer_and_sends_its_notification(broker):
    buyer, seller = BuyerFactory(), SellerFactory()
    dispute = open_dispute(buyer=buyer, seller=seller, opened_days_ago=6)  # seller silent 6 days
    mail.outbox.clear()
    with _worker():
        enforce_deadlines_task.delay()
        assert _wait_for(lambda: dispute.__class__.objects.get(pk=dispute.pk).state == "resolved")
        buyer_note = Notification.objects.filter(
            recipient=buyer, dedupe_key__contains=":disputes.rule."
        )
        assert _wait_for(lambda: buyer_note.filter(emailed_at__isnull=False).exists())
    assert Refund.objects.filter(dispute=dispute).count() == 1
    assert any(buyer.email in message.to for message in mail.outbox)


def test_acts_survive_a_broker_outage_and_notifications_follow_when_it_returns(broker):
    buyer, seller = BuyerFactory(), SellerFactory()
    overdue = open_dispute(buyer=buyer, seller=seller, opened_days_ago=6)
    port = int(broker["url"].rsplit(":", 1)[1].split("/")[0])
    broker["server"].stop()  # the broker goes away
    mail.outbox.clear()

    filed = open_dispute(buyer=buyer, seller=seller)  # a person acts: web request succeeds
    report = enforce_deadlines()  # the clock acts
    assert report.acted.get("dispute deadlines") == 1
    overdue.refresh_from_db()
    assert overdue.state == DisputeState.RESOLVED and filed.state == DisputeState.AWAITING_SELLER
    waiting = Notification.objects.filter(emailed_at__isnull=True)
    assert waiting.count() >= 3 and not mail.outbox

    # The broker answers again (same port): the sweep delivers everything, once.
    back = local_redis.start_throwaway_redis(broker["folder"], port=port)
    broker["server"] = back
    _use_broker(back.url)
    with _worker():
        sweep_outbox_task.delay(older_than_seconds=0)
        assert _wait_for(lambda: not Notification.objects.filter(emailed_at__isnull=True).exists())
        sweep_outbox_task.delay(older_than_seconds=0)  # a second sweep sends nothing again
        time.sleep(0.5)
    assert len(mail.outbox) == Notification.objects.count()


def test_two_engines_and_a_seller_over_200_overdue_disputes():
    buyer, seller = BuyerFactory(), SellerFactory()
    disputes = [open_dispute(buyer=buyer, seller=seller, opened_days_ago=6) for _ in range(200)]
    errors: list[str] = []
    barrier = threading.Barrier(3)

    def engine():
        try:
            barrier.wait()
            enforce_deadlines(batch_size=25)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            connection.close()

    def seller_accepting():
        try:
            barrier.wait()
            for dispute in disputes:
                with contextlib.suppress(StaleState):  # the clock got there first
                    services.dispute_seller_accept(dispute=dispute, actor=seller)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=t) for t in (engine, engine, seller_accepting)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    enforce_deadlines()  # whatever a skipped lock left over
    for dispute in disputes:
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        outcomes = dispute.events.filter(
            code__in=["disputes.rule.seller_silence", "disputes.dispute.seller_accepted"]
        )
        assert outcomes.count() == 1
        assert Refund.objects.filter(dispute=dispute).count() == 1
        # The seller's clock fired exactly when the clock acted; an act by one engine is never
        # undone on the record by the other (e.g. a fired clock later marked cancelled).
        clock = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
        by_clock = outcomes.get().code == "disputes.rule.seller_silence"
        assert clock.status == (DeadlineStatus.FIRED if by_clock else DeadlineStatus.CANCELLED)
