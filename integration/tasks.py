"""The integration's Celery tasks: webhook delivery (queued after each act that wrote some,
and swept every minute by beat for what a lost task, a broker outage or a backoff left)."""

from celery import current_app, shared_task

from .webhooks.delivery import deliver_due
from .webhooks.kick import DELIVER_TASK


@shared_task(name=DELIVER_TASK)
def deliver_webhooks_task() -> int:
    report = deliver_due()
    if report.more:  # out of time with rows still due: continue behind other work
        current_app.send_task(DELIVER_TASK, retry=False)
    return report.delivered
