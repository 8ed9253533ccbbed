"""Telling people what happened: an outbox row in the act's transaction, email after commit."""

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from celery import current_app
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.bulk import insert_columns
from core.outbox import Note, NoteKind

from .delivery import outbox_drain
from .models import EmailChoice, Notification

logger = logging.getLogger(__name__)

SWEEP_OUTBOX_TASK = "notifications.sweep_outbox"


def notify_many(notes: list[Note], *, now: datetime | None = None) -> None:
    """Record notifications, each once per key (a repeated act adds nothing), and queue their
    email for when the transaction commits. One INSERT, no savepoint. A note's code and data
    are stored, not words: they are rendered when read (notifications.words)."""
    at = now or timezone.now()
    insert_columns(
        Notification,
        {
            "recipient_id": [note.recipient_id for note in notes],
            "dedupe_key": [note.dedupe_key for note in notes],
            "code": [note.code for note in notes],
            "data": [_encode(note.data) for note in notes],  # JSON text, cast to jsonb
            "subject": [note.subject for note in notes],
            "body": [note.body for note in notes],
            "url": [note.url for note in notes],
            "kind": [note.kind for note in notes],
            "created_at": [note.at or at for note in notes],
            "next_attempt_at": [note.at or at for note in notes],
        },
        ignore_conflicts=True,
    )
    _queue_delivery_on_commit()


# Notification.data as its field writes it (json.dumps with its encoder).
_encode = DjangoJSONEncoder().encode
_deferred = ContextVar("parley_deferred_delivery", default=False)


@contextmanager
def deferred_delivery() -> Iterator[None]:
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


def outbox_sweep(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Email due notifications, oldest first, in batches until none is due (see delivery.py).
    Run after each commit that wrote some (older_than=0) and every minute by beat (catching what
    a lost task or a broker outage left, and failed sends whose wait is over). A drain that runs
    out of time queues its own continuation, behind whatever else waits for the worker."""
    report = outbox_drain(older_than=older_than)
    if report.more:
        _queue_delivery()
    return report.sent


@transaction.atomic
def notification_retry(*, ids: Iterable[int], actor: User) -> int:
    """Staff: email these notifications again as soon as possible, with a fresh count of
    attempts (given-up rows and rows waiting to retry; sent ones are left alone)."""
    count = Notification.objects.filter(pk__in=list(ids), emailed_at__isnull=True).update(
        attempts=0, gave_up_at=None, next_attempt_at=timezone.now()
    )
    logger.info("%s queued %s notification(s) for another delivery", actor.username, count)
    if count:
        _queue_delivery_on_commit()
    return count


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Email, per kind of note --------------------------------------------------------------------


def kinds_for(user: User) -> list[NoteKind]:
    """The kinds of note a person can receive: arbiters hear of the cases they hold, parties
    of their disputes, orders and deadlines."""
    if user.is_arbiter:
        return [NoteKind.CASEWORK]
    return [NoteKind.UPDATES, NoteKind.MESSAGES, NoteKind.REMINDERS]


def email_choices(user: User) -> dict[str, bool]:
    """Each of the person's kinds, and whether its notes are emailed (on unless turned off)."""
    off = set(user.email_choices.filter(email=False).values_list("kind", flat=True))
    return {kind.value: kind.value not in off for kind in kinds_for(user)}


@transaction.atomic
def email_choices_save(*, user: User, choices: Mapping[str, bool]) -> None:
    """Keep the person's choice for each of their kinds (kinds they cannot receive are left)."""
    rows = [
        EmailChoice(user=user, kind=kind, email=bool(choices.get(kind.value, True)))
        for kind in kinds_for(user)
    ]
    EmailChoice.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["email"]
    )
