"""Email delivery against other connections on PostgreSQL (real threads, transactional_db):
while a message is being sent, only its outbox row is locked."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from core.outbox import Note
from notifications import services
from notifications.models import Notification
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db(transaction=True)


class HoldingBackend(LocmemBackend):
    """The test mailer; a message whose subject is in `hold` waits in the middle of its send
    until the test releases it."""

    hold: set[str] = set()
    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        if any(message.subject in self.hold for message in messages):
            self.sending.set()
            assert self.release.wait(timeout=20), "the test never released the send"
        return super().send_messages(messages)


@pytest.fixture
def holding(monkeypatch):
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)  # no broker in these tests
    HoldingBackend.hold = set()
    HoldingBackend.sending.clear()
    HoldingBackend.release.clear()
    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.HoldingBackend"}}):
        yield HoldingBackend
    HoldingBackend.release.set()


def _notify(user, key, subject):
    earlier = timezone.now() - timedelta(minutes=1)
    services.notify_many([Note(user.pk, key, subject, "Something happened.")], now=earlier)


def _sweep_in_thread(results):
    def run():
        try:
            results.append(services.outbox_sweep(older_than=timedelta(0)))
        except Exception as exc:  # reported by the assertions
            results.append(repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_while_an_email_is_sent_its_recipient_can_still_log_in(holding):
    buyer = BuyerFactory()
    _notify(buyer, "race:login", "Held")
    holding.hold.add("[Parley] Held")
    results: list = []
    thread = _sweep_in_thread(results)
    assert holding.sending.wait(timeout=10)
    try:
        with transaction.atomic():  # what a login writes, on another connection
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            User.objects.filter(pk=buyer.pk).update(last_login=timezone.now())
    finally:
        holding.release.set()
        thread.join(timeout=20)
    assert results == [1]
    assert Notification.objects.get(dedupe_key="race:login").emailed_at is not None


@override_settings(PARLEY_EMAIL_DELIVERY={**settings.PARLEY_EMAIL_DELIVERY, "batch_size": 1})
def test_a_second_sweep_sends_the_same_persons_other_email_meanwhile(holding):
    buyer = BuyerFactory()
    _notify(buyer, "race:first", "Held")
    _notify(buyer, "race:second", "Not held")
    holding.hold.add("[Parley] Held")
    results: list = []
    thread = _sweep_in_thread(results)
    assert holding.sending.wait(timeout=10)
    try:
        second = services.outbox_sweep(older_than=timedelta(0))
    finally:
        holding.release.set()
        thread.join(timeout=20)
    assert second == 1 and results == [1]  # each sweep sent one, neither skipped the other
    assert sorted(m.subject for m in mail.outbox) == ["[Parley] Held", "[Parley] Not held"]


@override_settings(PARLEY_EMAIL_DELIVERY={**settings.PARLEY_EMAIL_DELIVERY, "batch_size": 25})
def test_two_drains_at_once_share_the_outbox_and_send_each_email_once(holding):
    buyers = [BuyerFactory() for _ in range(3)]
    for i in range(300):
        _notify(buyers[i % 3], f"shared:{i}", f"Shared {i}")
    results: list = []
    barrier = threading.Barrier(2)

    def drain():
        try:
            barrier.wait()
            results.append(services.outbox_sweep(older_than=timedelta(0)))
        except Exception as exc:  # reported by the assertions
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(results) == 300, results
    assert len(mail.outbox) == 300
    assert len({m.subject for m in mail.outbox}) == 300
