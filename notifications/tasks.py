from datetime import timedelta

from celery import shared_task

from .services import outbox_sweep


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox_task(older_than_seconds: int = 30) -> int:
    return outbox_sweep(older_than=timedelta(seconds=older_than_seconds))
