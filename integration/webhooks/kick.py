"""Asking a worker to deliver now (after the act commits); the beat sweep catches up when the
broker is down, so a failed publish loses nothing."""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.utils import timezone

logger = logging.getLogger(__name__)

DELIVER_TASK = "integration.deliver_webhooks"
# After a failed publish, skip the broker for a while rather than make each act wait for it.
BROKER_BACKOFF = timedelta(seconds=30)
_broker_down_until: datetime | None = None


def kick_delivery() -> None:
    global _broker_down_until
    if _broker_down_until is not None and timezone.now() < _broker_down_until:
        return
    try:
        current_app.send_task(DELIVER_TASK, retry=False)  # by name: tasks imports this module
    except Exception:  # the broker is down: the periodic sweep delivers them later
        _broker_down_until = timezone.now() + BROKER_BACKOFF
        logger.warning("webhook delivery not queued; the periodic sweep will do it")
    else:
        _broker_down_until = None
