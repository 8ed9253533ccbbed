"""The refund ledger: the only way money goes back to a buyer."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from orders.errors import ActionRefused
from orders.models import Order
from orders.money import Money

from .gateway import get_gateway
from .models import Dispute, Refund, RefundStatus

logger = logging.getLogger(__name__)


def paid_amount(order: Order) -> Money:
    payment = getattr(order, "payment", None)
    return Money(payment.amount if payment else Decimal(0), order.currency)


def refunded_amount(order: Order) -> Money:
    total = order.refunds.exclude(status=RefundStatus.FAILED).aggregate(s=Sum("amount"))["s"]
    return Money(total or Decimal(0), order.currency)


def refundable_amount(order: Order) -> Money:
    return paid_amount(order) - refunded_amount(order)


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
    """Record a refund exactly once per idempotency key, never beyond what was paid.

    Must run inside the caller's transaction: it locks the order row so that two refunds of one
    order are checked one after the other. Settlement happens after commit.
    """
    now = now or timezone.now()
    existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.left_after = refundable_amount(order).amount
        return existing
    order = Order.objects.select_for_update(of=("self",)).select_related("payment").get(pk=order.pk)
    if amount.currency != order.currency:
        raise ActionRefused(f"Refunds of this order are in {order.currency}.")
    if amount.amount <= 0:
        raise ActionRefused("A refund must be more than zero.")
    available = refundable_amount(order)
    if amount > available:
        raise ActionRefused(f"Only {available} can still be refunded on this order.")
    refund = Refund.objects.create(
        order=order,
        dispute=dispute,
        amount=amount.amount,
        currency=amount.currency,
        reason=reason,
        source=source,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    # robust: a provider outage must not turn a committed act into an error page; beat's
    # settle-refunds task retries what is still pending.
    transaction.on_commit(lambda: refund_settle(refund_id=refund.pk), robust=True)
    refund.left_after = (available - amount).amount  # what can still be refunded afterwards
    return refund


@transaction.atomic
def refund_settle(*, refund_id: int) -> Refund:
    """Hand a pending refund to the payment provider; settling twice does nothing."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != RefundStatus.PENDING:
        return refund
    settlement = get_gateway().settle(refund)
    refund.status = RefundStatus.SETTLED
    refund.provider_reference = settlement.provider_reference
    refund.settled_at = timezone.now()
    refund.save(update_fields=["status", "provider_reference", "settled_at"])
    return refund


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
