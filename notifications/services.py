"""Telling people what happened: an outbox row in the act's transaction, email after commit."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from .models import Notification

logger = logging.getLogger(__name__)


def notify(
    *, recipient: User, dedupe_key: str, subject: str, body: str, url: str = "", now: datetime
) -> Notification | None:
    """Record a notification once per key; queue its email when the transaction commits."""
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                dedupe_key=dedupe_key,
                subject=subject,
                body=body,
                url=url,
                created_at=now,
            )
    except IntegrityError:
        return None  # already told: the same act ran twice
    transaction.on_commit(lambda: _queue_delivery(notification.pk))
    return notification


# After a failed publish, skip the broker for a while instead of making every request wait
# for a connection timeout; the outbox sweep delivers what was skipped.
BROKER_BACKOFF = timedelta(seconds=30)
_broker_down_until: datetime | None = None


def _queue_delivery(notification_id: int) -> None:
    global _broker_down_until
    from .tasks import deliver_notification_task

    if _broker_down_until is not None and timezone.now() < _broker_down_until:
        return
    try:
        deliver_notification_task.apply_async(args=[notification_id], retry=False)
    except Exception:  # the broker is down: the outbox sweep delivers it later
        _broker_down_until = timezone.now() + BROKER_BACKOFF
        logger.warning("notification %s not queued; the sweep will deliver it", notification_id)
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
    """Deliver notifications that no task delivered (e.g. while the broker was down)."""
    cutoff = timezone.now() - older_than
    pending = Notification.objects.filter(emailed_at__isnull=True, created_at__lte=cutoff)
    ids = list(pending.order_by("created_at").values_list("id", flat=True)[:limit])
    return sum(notification_deliver(notification_id=pk) for pk in ids)


def mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
