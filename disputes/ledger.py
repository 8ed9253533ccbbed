"""The refund ledger: the only way money goes back to a buyer."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from celery import current_app
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from core.bulk import update_rows
from core.errors import ActionRefused
from core.money import Money
from orders.models import Order, Payment

from .gateway import get_gateway
from .models import Dispute, Refund, RefundStatus

logger = logging.getLogger(__name__)

SETTLE_REFUNDS_TASK = "disputes.settle_refunds"


def paid_amount(order: Order) -> Money:
    payment = getattr(order, "payment", None)
    return Money(payment.amount if payment else Decimal(0), order.currency)


def refunded_amount(order: Order) -> Money:
    total = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(s=Sum("amount"))["s"]
    return Money(total or Decimal(0), order.currency)


def refundable_amount(order: Order) -> Money:
    return paid_amount(order) - refunded_amount(order)


@dataclass(frozen=True)
class RefundRequest:
    order: Order
    amount: Money
    reason: str
    source: str
    idempotency_key: str
    dispute: Dispute | None = None
    now: datetime | None = None


def refund_issue(
    *,
    order: Order,
    amount: Money,
    reason: str,
    source: str,
    idempotency_key: str,
    dispute: Dispute | None = None,
    now: datetime | None = None,
) -> Refund:
    """Record a refund exactly once per idempotency key, never beyond what was paid."""
    request = RefundRequest(order, amount, reason, source, idempotency_key, dispute, now)
    return refund_issue_many([request])[0]


def refund_issue_many(requests: list[RefundRequest]) -> list[Refund]:
    """Record refunds, each exactly once per idempotency key, never beyond what was paid.

    Must run inside the caller's transaction: it locks the orders (in id order), so refunds of
    one order are checked one after the other. Raises ActionRefused, recording nothing, if any
    one would pay out more than is left. Settlement happens after commit.
    """
    if not requests:
        return []
    keys = [request.idempotency_key for request in requests]
    known = {
        refund.idempotency_key: refund for refund in Refund.objects.filter(idempotency_key__in=keys)
    }
    available = _refundable_by_order({request.order.pk for request in requests})
    results, new = [], []
    for request in requests:
        order_id = request.order.pk
        refund = known.get(request.idempotency_key)
        if refund is None:
            _check(request, Money(available[order_id], request.order.currency))
            refund = Refund(
                order_id=order_id,
                dispute=request.dispute,
                amount=request.amount.amount,
                currency=request.amount.currency,
                reason=request.reason,
                source=request.source,
                idempotency_key=request.idempotency_key,
                created_at=request.now or timezone.now(),
            )
            available[order_id] -= request.amount.amount
            known[request.idempotency_key] = refund
            new.append(refund)
        refund.left_after = available[order_id]  # what can still be refunded afterwards
        results.append(refund)
    if new:
        Refund.objects.bulk_create(new)
        # robust: a provider outage must not turn a committed act into an error page; beat's
        # settle-refunds task retries what is still pending.
        ids = [refund.pk for refund in new]
        settle = _queue_settlement if _settle_in_worker.get() else refund_settle_many
        transaction.on_commit(lambda: settle(refund_ids=ids), robust=True)
    return results


_settle_in_worker = ContextVar("parley_settle_in_worker", default=False)


@contextmanager
def settled_by_worker():
    """Inside (the rule engine's run), refunds are handed to a Celery task after commit
    instead of being settled in this process: a provider call per refund must not hold up the
    clock. Outside, a person's refund is settled right after their act commits."""
    token = _settle_in_worker.set(True)
    try:
        yield
    finally:
        _settle_in_worker.reset(token)


def _queue_settlement(*, refund_ids: list[int]) -> None:
    # By name: the task module imports this one, not the other way round.
    try:
        current_app.send_task(SETTLE_REFUNDS_TASK, kwargs={"refund_ids": refund_ids}, retry=False)
    except Exception:  # the broker is down: beat's settle-refunds task settles them later
        logger.warning("settlement of %s refunds not queued; beat will retry", len(refund_ids))


def _refundable_by_order(order_ids: set[int]) -> dict[int, Decimal]:
    """Lock the orders (in id order) and return what can still be refunded on each."""
    list(
        Order.objects.select_for_update(of=("self",))
        .filter(pk__in=order_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    paid = dict(Payment.objects.filter(order_id__in=order_ids).values_list("order_id", "amount"))
    refunded = dict(
        Refund.objects.filter(order_id__in=order_ids)
        .exclude(status=RefundStatus.FAILED)
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values_list("order_id", "total")
    )
    return {pk: paid.get(pk, Decimal(0)) - (refunded.get(pk) or Decimal(0)) for pk in order_ids}


def _check(request: RefundRequest, available: Money) -> None:
    if request.amount.currency != available.currency:
        raise ActionRefused(f"Refunds of this order are in {available.currency}.")
    if request.amount.amount <= 0:
        raise ActionRefused("A refund must be more than zero.")
    if request.amount > available:
        raise ActionRefused(f"Only {available} can still be refunded on this order.")


@transaction.atomic
def refund_settle(*, refund_id: int) -> Refund:
    """Hand a pending refund to the payment provider; settling twice does nothing."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    settlement = get_gateway().settle(refund)
    _mark_settled(refund, settlement)
    refund.save(update_fields=_SETTLED_FIELDS)
    return refund


_SETTLED_FIELDS = ["status", "provider_reference", "settled_at"]


def _mark_settled(refund: Refund, settlement) -> None:
    refund.status = RefundStatus.SETTLED
    refund.provider_reference = settlement.provider_reference
    refund.settled_at = timezone.now()


@transaction.atomic
def refund_settle_many(*, refund_ids: list[int]) -> int:
    """Settle refunds still pending, in one transaction; one the provider refuses stays
    pending for beat's retry, the others are settled. Returns how many were settled."""
    pending = Refund.objects.select_for_update(skip_locked=True).filter(
        pk__in=refund_ids, status=RefundStatus.PENDING
    )
    settled = []
    for refund in pending:
        try:
            _mark_settled(refund, get_gateway().settle(refund))
        except Exception:  # one failing refund must not stop the others
            logger.exception("refund %s could not be settled; will retry", refund.pk)
            continue
        settled.append(refund)
    update_rows(settled, _SETTLED_FIELDS)
    return len(settled)


def refund_status_label(order: Order) -> str:
    refunded = refunded_amount(order)
    if refunded.amount == 0:
        return ""
    if refunded >= paid_amount(order):
        return f"Refunded in full ({refunded})"
    return f"Partially refunded: {refunded} of {paid_amount(order)}"


def settle_pending(*, older_than_seconds: int = 60, limit: int = 200) -> int:
    """Retry settlement of refunds still pending (provider down, worker lost)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        Refund.objects.filter(status=RefundStatus.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    settled = 0
    for refund_id in ids:
        try:
            settled += refund_settle(refund_id=refund_id).status == RefundStatus.SETTLED
        except Exception:  # one failing refund must not stop the others
            logger.exception("refund %s could not be settled; will retry", refund_id)
    return settled
