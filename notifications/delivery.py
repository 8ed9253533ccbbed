"""Emailing the outbox: claim a batch of due notifications, send them over one connection of
the default mailer, record each one's outcome; again, until nothing is due or the time budget
is spent.

A batch is one transaction: its rows are locked (`FOR UPDATE OF` the notification only, `SKIP
LOCKED`, so concurrent drains share the work and nobody else's rows wait), emailed one by one,
and their outcomes written in one statement before the commit. A failed send is the row's own
business: it is recorded (attempts, last error, next attempt after a backoff, given up after the
last one) and the batch goes on with the next row.

Send, then mark: an email goes out before its row is marked sent, and the mark commits with the
batch. A worker killed mid-batch (or a database connection lost before the commit) leaves the
batch's sent emails unmarked, and the next drain sends them again: never lost, but possibly
twice (up to one batch). The copies are harmless: each notification always carries the same
Message-ID (`message_id`), so mailboxes and clients that recognise duplicates by Message-ID
keep one, and a reader can see it is the same message. Marking first would instead lose the
email in flight when the worker dies.
"""

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from functools import cache
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.personal import speaking_to
from core.bulk import update_rows

from .models import UNDELIVERED, EmailChoice, Notification

logger = logging.getLogger(__name__)

RECORDED = ["emailed_at", "attempts", "last_error", "next_attempt_at", "gave_up_at"]


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int
    retry_after: tuple[timedelta, ...]  # the wait after the 1st, 2nd, … failed attempt
    max_attempts: int  # given up after this many
    budget: timedelta  # one drain stops after this long, leaving the rest to the next

    @classmethod
    def from_settings(cls) -> "DeliveryPolicy":
        conf: dict[str, Any] = settings.PARLEY_EMAIL_DELIVERY
        return cls(
            batch_size=conf["batch_size"],
            retry_after=tuple(timedelta(seconds=s) for s in conf["retry_after_seconds"]),
            max_attempts=conf["max_attempts"],
            budget=timedelta(seconds=conf["drain_seconds"]),
        )

    def wait_after(self, attempts: int) -> timedelta:
        return self.retry_after[min(attempts, len(self.retry_after)) - 1]


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0  # to be tried again
    given_up: int = 0
    more: bool = False  # stopped by the budget with rows still due
    mailer_down: bool = False  # no connection to the mailer: stopped, rows left as they were


def due(*, now: datetime, created_before: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(
        UNDELIVERED, next_attempt_at__lte=now, created_at__lte=created_before
    )


def outbox_drain(
    *, older_than: timedelta = timedelta(0), policy: DeliveryPolicy | None = None
) -> DrainReport:
    """Email every due notification written at least `older_than` ago, batch after batch."""
    policy = policy or DeliveryPolicy.from_settings()
    stop_at = time.monotonic() + policy.budget.total_seconds()
    report = DrainReport()
    while True:
        claimed = _deliver_batch(policy, older_than, report)
        if claimed < policy.batch_size or report.mailer_down:
            return report
        if time.monotonic() >= stop_at:
            report.more = True
            return report


@transaction.atomic
def _deliver_batch(policy: DeliveryPolicy, older_than: timedelta, report: DrainReport) -> int:
    now = timezone.now()
    batch = list(
        due(now=now, created_before=now - older_than)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .order_by("next_attempt_at")[: policy.batch_size]
    )
    update_rows(_send_all(batch, policy, report), RECORDED)
    return len(batch)


def _unwanted(batch: Sequence[Notification]) -> set[tuple[int, str]]:
    """The (person, kind) pairs of the batch whose email the person turned off."""
    people = {notification.recipient_id for notification in batch}
    off = EmailChoice.objects.filter(user_id__in=people, email=False)
    return set(off.values_list("user_id", "kind"))


def _emailed(notification: Notification, unwanted: set[tuple[int, str]]) -> bool:
    """Whether this note goes out by email: the person has an address and wants this kind."""
    wanted = (notification.recipient_id, notification.kind) not in unwanted
    return bool(notification.recipient.email) and wanted


def _send_all(
    batch: Sequence[Notification], policy: DeliveryPolicy, report: DrainReport
) -> list[Notification]:
    """Send the batch over one mailer connection; return the rows whose outcome is known (all
    of them, unless the mailer cannot be reached)."""
    if not batch:
        return []
    mailer = mail.mailers.default
    if not _open(mailer, report):
        return []
    unwanted = _unwanted(batch)
    done: list[Notification] = []
    try:
        for notification in batch:
            emailed = _emailed(notification, unwanted)
            error = _send(mailer, notification) if emailed else ""
            _record(notification, error, policy, report, emailed=emailed)
            done.append(notification)
            if error:  # the connection may be dead or mid-command: start a fresh one
                _close(mailer)
                if not _open(mailer, report):
                    break
    finally:
        _close(mailer)
    return done


def _open(mailer: BaseEmailBackend, report: DrainReport) -> bool:
    try:
        mailer.open()
    except Exception as exc:  # no row's fault: they stay as they are for the next drain
        logger.warning("mailer unreachable, outbox delivery paused: %r", exc)
        report.mailer_down = True
        return False
    return True


def _close(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception as exc:  # a dead connection: nothing left to close
        logger.info("mailer connection closed uncleanly: %r", exc)


def _send(mailer: BaseEmailBackend, notification: Notification) -> str:
    """Send one notification's email; the error as text, or "" when sent."""
    try:
        mailer.send_messages([email_message(notification)])
    except Exception as exc:  # any mailer's failure: recorded on the row, the batch goes on
        logger.warning("notification %s not emailed: %r", notification.pk, exc)
        return f"{type(exc).__name__}: {exc}"[:1000]
    return ""


def _record(
    notification: Notification,
    error: str,
    policy: DeliveryPolicy,
    report: DrainReport,
    *,
    emailed: bool,
) -> None:
    """Count the attempt: sent, or due again after the next wait, or given up after the last.
    A note nobody wants by email (no address, or email off for its kind) is done unsent."""
    now = timezone.now()
    if emailed:
        notification.attempts += 1
    if not error:
        notification.emailed_at = now
        report.sent += 1
        return
    notification.last_error = error
    if notification.attempts >= policy.max_attempts:
        notification.gave_up_at = now
        report.given_up += 1
    else:
        notification.next_attempt_at = now + policy.wait_after(notification.attempts)
        report.failed += 1


def email_message(notification: Notification) -> EmailMessage:
    """The note's email, its words rendered now in its recipient's language and zone (the
    batch reads each recipient's language and zone with the row: no query per email)."""
    with speaking_to(notification.recipient):
        subject, body = notification.words
        return EmailMessage(
            subject=_("[Parley] %(subject)s") % {"subject": subject},
            body=_email_body(body, notification.url),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient.email],
            headers={"Message-ID": message_id(notification)},
        )


def _email_body(body: str, url: str) -> str:
    site = settings.PARLEY_SITE_URL
    parts = [body]
    if url:
        parts.append(_("Open it in Parley: %(link)s") % {"link": f"{site}{url}"})
    choices = _("Choose which notifications are emailed to you: %(link)s") % {
        "link": f"{site}{_choices_url()}"
    }
    signature = _("— Parley buyer protection")
    parts.append(f"{signature}\n{choices}")
    return "\n\n".join(parts)


@cache
def _choices_url() -> str:
    return reverse("notifications:choices")


def message_id(notification: Notification) -> str:
    """The same for every send of one notification, so a resend is recognisably a duplicate;
    its dedupe key's hash keeps ids from two databases (staging, a restore) from meeting."""
    digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:16]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "parley"
    return f"<notification-{notification.pk}.{digest}@{domain}>"
