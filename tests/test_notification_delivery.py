"""Email delivery from the outbox: a failing send is recorded on its row and tried again with
backoff, the sweep goes on with the others, and staff see and retry what was given up."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.outbox import Note
from notifications.models import Delivery, Notification
from notifications.services import _queue_delivery, notify_many, outbox_sweep
from tests.factories import BuyerFactory, UserFactory

pytestmark = pytest.mark.django_db


class RefusingBackend(LocmemBackend):
    """The test mailer, refusing every address in `refused`."""

    refused: set[str] = set()

    def send_messages(self, messages):
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox unavailable")})
        return super().send_messages(messages)


REFUSING = override_settings(
    MAILERS={"default": {"BACKEND": f"{__name__}.RefusingBackend"}},
)


@pytest.fixture
def refusing():
    RefusingBackend.refused = set()
    with REFUSING:
        yield RefusingBackend.refused


def _notify(*users, at=None):
    notify_many(
        [
            Note(user.pk, f"test:{user.pk}", f"For {user.username}", "Something happened.")
            for user in users
        ],
        now=at,
    )
    return [Notification.objects.get(dedupe_key=f"test:{user.pk}") for user in users]


def test_a_failing_send_is_recorded_and_the_sweep_goes_on_with_the_next_rows(refusing):
    bad, good, other = BuyerFactory(), BuyerFactory(), BuyerFactory()
    refusing.add(bad.email)
    start = timezone.now() - timedelta(minutes=5)
    _notify(bad, at=start)  # the oldest row fails
    _notify(good, other, at=start + timedelta(seconds=1))

    assert outbox_sweep(older_than=timedelta(0)) == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted([good.email, other.email])
    failed = Notification.objects.get(recipient=bad)
    assert failed.delivery == Delivery.RETRYING and failed.emailed_at is None
    assert failed.attempts == 1 and "mailbox unavailable" in failed.last_error
    assert failed.next_attempt_at > timezone.now() + timedelta(seconds=50)
    sent = Notification.objects.get(recipient=good)
    assert sent.delivery == Delivery.SENT and sent.attempts == 1


def test_retries_back_off_then_give_up_and_staff_retry_from_the_admin(
    refusing, client, django_capture_on_commit_callbacks
):
    bad = BuyerFactory()
    refusing.add(bad.email)
    start = timezone.now()
    (row,) = _notify(bad, at=start)
    waits = [timedelta(0), *(timedelta(minutes=m) for m in (1, 5, 30, 120, 720))]
    at = start
    for attempt, wait in enumerate(waits, start=1):
        with time_machine.travel(at + wait - timedelta(seconds=2), tick=False):
            assert outbox_sweep(older_than=timedelta(0)) == 0
            row.refresh_from_db()
            assert row.attempts == attempt - 1  # not due yet: not tried
        at += wait
        with time_machine.travel(at, tick=False):
            outbox_sweep(older_than=timedelta(0))
        row.refresh_from_db()
        assert row.attempts == attempt
    assert row.delivery == Delivery.GIVEN_UP and row.gave_up_at is not None
    with time_machine.travel(at + timedelta(days=30), tick=False):
        outbox_sweep(older_than=timedelta(0))
    row.refresh_from_db()
    assert row.attempts == 6 and not mail.outbox  # given up: no seventh attempt

    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    changelist = reverse("admin:notifications_notification_changelist")
    page = client.get(changelist, {"delivery": Delivery.GIVEN_UP.value})
    assert row.subject in page.content.decode()
    assert row.subject not in client.get(changelist, {"delivery": "sent"}).content.decode()

    refusing.clear()  # the mailbox works again
    form = {"action": "retry_delivery", "_selected_action": [row.pk]}
    connection.run_on_commit.clear()  # the test's writes above count as committed
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(changelist, form)
    assert response.status_code == 302
    assert queued == [_queue_delivery]  # a delivery task is queued when the retry commits
    row.refresh_from_db()
    assert row.delivery == Delivery.WAITING and row.attempts == 0
    assert outbox_sweep(older_than=timedelta(0)) == 1
    assert [m.to for m in mail.outbox] == [[bad.email]]
