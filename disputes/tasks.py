from celery import shared_task

from .ledger import settle_pending


@shared_task(name="disputes.settle_pending_refunds")
def settle_pending_refunds_task() -> int:
    return settle_pending()
