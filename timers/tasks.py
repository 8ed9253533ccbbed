from celery import shared_task

from .engine import enforce_deadlines


@shared_task(name="timers.enforce_deadlines")
def enforce_deadlines_task() -> int:
    return enforce_deadlines().total
