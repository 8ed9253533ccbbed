"""The outbox drains continuously: batch after batch, one mailer connection per batch, until
nothing is due or its time budget is spent; an unreachable mailer pauses it, a dropped
connection fails only the row in flight."""

import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import override_settings
from django.utils import timezone

from core.outbox import Note
from notifications import services
from notifications.models import Delivery, Notification
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db


class ScriptedBackend(LocmemBackend):
    """The test mailer, counting its connections; it can be unreachable, or drop the
    connection when sending to an address in `drop`."""

    unreachable = False
    drop: set[str] = set()
    opens = 0
    sent_without_connection = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected = False

    def open(self):
        if ScriptedBackend.unreachable:
            raise ConnectionRefusedError(111, "Connection refused")
        if not self.connected:
            ScriptedBackend.opens += 1
            self.connected = True
            return True
        return False

    def close(self):
        self.connected = False

    def send_messages(self, messages):
        if not self.connected:
            ScriptedBackend.sent_without_connection += 1
        for message in messages:
            if set(message.to) & self.drop:
                self.connected = False
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.fixture
def backend(monkeypatch):
    queued: list[int] = []
    monkeypatch.setattr(services, "_queue_delivery", lambda: queued.append(1))
    ScriptedBackend.unreachable, ScriptedBackend.drop = False, set()
    ScriptedBackend.opens = ScriptedBackend.sent_without_connection = 0
    ScriptedBackend.queued = queued
    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.ScriptedBackend"}}):
        yield ScriptedBackend


def _policy(**changes):
    return override_settings(PARLEY_EMAIL_DELIVERY={**settings.PARLEY_EMAIL_DELIVERY, **changes})


def _notify(user, count, *, prefix="drain"):
    at = timezone.now() - timedelta(minutes=5)
    notes = [
        Note(user.pk, f"{prefix}:{i}", f"Note {i}", "Something happened.") for i in range(count)
    ]
    services.notify_many(notes, now=at)


def test_one_sweep_drains_batch_after_batch_over_one_connection_each(backend):
    _notify(BuyerFactory(), 1_250)

    assert services.outbox_sweep(older_than=timedelta(0)) == 1_250

    assert len(mail.outbox) == 1_250
    assert backend.opens == 13  # batches of 100: one mailer connection each
    assert backend.sent_without_connection == 0
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert backend.queued == []  # all done: no continuation


@_policy(drain_seconds=0)
def test_a_drain_out_of_time_stops_and_queues_its_continuation(backend):
    _notify(BuyerFactory(), 250)

    assert services.outbox_sweep(older_than=timedelta(0)) == 100  # one batch, then the budget
    assert backend.queued == [1]
    assert services.outbox_sweep(older_than=timedelta(0)) == 100
    assert services.outbox_sweep(older_than=timedelta(0)) == 50
    assert backend.queued == [1, 1]  # the last drain ran out of rows, not of time
    assert len(mail.outbox) == 250


def test_an_unreachable_mailer_pauses_delivery_and_counts_no_attempt(backend):
    _notify(BuyerFactory(), 3)
    backend.unreachable = True

    assert services.outbox_sweep(older_than=timedelta(0)) == 0

    rows = Notification.objects.all()
    assert {(row.delivery, row.attempts, row.last_error) for row in rows} == {
        (Delivery.WAITING, 0, "")
    }
    backend.unreachable = False
    assert services.outbox_sweep(older_than=timedelta(0)) == 3


@_policy(batch_size=10)
def test_a_dropped_connection_fails_only_the_row_in_flight(backend):
    dropped, fine = BuyerFactory(), BuyerFactory()
    _notify(fine, 4, prefix="before")
    _notify(dropped, 1, prefix="dropped")
    _notify(fine, 4, prefix="after")
    backend.drop = {dropped.email}

    assert services.outbox_sweep(older_than=timedelta(0)) == 8

    failed = Notification.objects.get(dedupe_key="dropped:0")
    assert failed.delivery == Delivery.RETRYING and "SMTPServerDisconnected" in failed.last_error
    assert backend.opens == 2  # reconnected once, after the drop
    assert backend.sent_without_connection == 0
