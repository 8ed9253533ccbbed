"""Telling people what happened: an outbox row in the act's transaction, email after commit."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.bulk import insert_columns
from core.outbox import Note

from .models import Notification

logger = logging.getLogger(__name__)

SWEEP_OUTBOX_TASK = "notifications.sweep_outbox"


def notify_many(notes: list[Note], *, now: datetime | None = None) -> None:
    """Record notifications, each once per key (a repeated act adds nothing), and queue their
    email for when the transaction commits. One INSERT, no savepoint."""
    at = now or timezone.now()
    insert_columns(
        Notification,
        {
            "recipient_id": [note.recipient_id for note in notes],
            "dedupe_key": [note.dedupe_key for note in notes],
            "subject": [note.subject for note in notes],
            "body": [note.body for note in notes],
            "url": [note.url for note in notes],
            "created_at": [note.at or at for note in notes],
        },
        ignore_conflicts=True,
    )
    _queue_delivery_on_commit()


_deferred = ContextVar("parley_deferred_delivery", default=False)


@contextmanager
def deferred_delivery():
    """Inside (the rule engine's run), commits queue no delivery task each; one is queued at
    the end for everything the run wrote. Outside, every commit queues its own."""
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
        _queue_delivery()


def _queue_delivery_on_commit() -> None:
    """One delivery task per committed transaction, however many notifications it wrote: it
    delivers everything still undelivered."""
    if _deferred.get():
        return
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is _queue_delivery for entry in pending):
        transaction.on_commit(_queue_delivery)


# After a failed publish, skip the broker for a while instead of making every request wait
# for a connection timeout; the outbox sweep delivers what was skipped.
BROKER_BACKOFF = timedelta(seconds=30)
_broker_down_until: datetime | None = None


def _queue_delivery() -> None:
    global _broker_down_until
    if _broker_down_until is not None and timezone.now() < _broker_down_until:
        return
    try:
        # By name: the task module imports this one, not the other way round.
        current_app.send_task(SWEEP_OUTBOX_TASK, kwargs={"older_than_seconds": 0}, retry=False)
    except Exception:  # the broker is down: the periodic sweep delivers them later
        _broker_down_until = timezone.now() + BROKER_BACKOFF
        logger.warning("notification delivery not queued; the periodic sweep will do it")
    else:
        _broker_down_until = None


@transaction.atomic
def notification_deliver(*, notification_id: int) -> bool:
    """Email one notification unless it was already emailed. The row lock makes two deliverers
    (a task and the sweep) send it once."""
    notification = (
        Notification.objects.select_for_update(skip_locked=True)
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return False
    if notification.recipient.email:
        message = EmailMessage(
            subject=f"[Parley] {notification.subject}",
            body=_email_body(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
        )
        message.send()
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return True


def _email_body(notification: Notification) -> str:
    link = f"\n\n{settings.PARLEY_SITE_URL}{notification.url}" if notification.url else ""
    return f"{notification.body}{link}\n\n— Parley buyer protection"


def outbox_sweep(*, older_than: timedelta = timedelta(seconds=30), limit: int = 500) -> int:
    """Deliver undelivered notifications, oldest first. Run after each commit that wrote some
    (older_than=0) and every minute by beat (catching what a lost task or a broker outage
    left). Two sweeps at once send each message once: rows are claimed with SKIP LOCKED."""
    cutoff = timezone.now() - older_than
    pending = Notification.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff)
    ids = list(pending.order_by("created_at").values_list("id", flat=True)[:limit])
    return sum(notification_deliver(notification_id=pk) for pk in ids)


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
