from datetime import timedelta

from celery import shared_task

from .services import SWEEP_OUTBOX_TASK, outbox_sweep


@shared_task(name=SWEEP_OUTBOX_TASK)
def sweep_outbox_task(older_than_seconds: int = 30) -> int:
    return outbox_sweep(older_than=timedelta(seconds=older_than_seconds))
