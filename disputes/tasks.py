from celery import shared_task

from .ledger import SETTLE_REFUNDS_TASK
from .settlement import refund_settle_many, settle_pending


@shared_task(name="disputes.settle_pending_refunds")
def settle_pending_refunds_task() -> int:
    return settle_pending()


@shared_task(name=SETTLE_REFUNDS_TASK)
def settle_refunds_task(refund_ids: list[int]) -> int:
    return refund_settle_many(refund_ids=refund_ids)
