"""The refund ledger: the only way money goes back to a buyer."""

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from celery import current_app
from django.db import transaction
from django.db.models import Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.bulk import insert_objects
from core.errors import ActionRefused
from core.moments import money
from core.money import Money
from core.timeline import Recorder
from orders.models import Order, Payment

from . import events
from .events import refund_on_order
from .models import Dispute, Refund, RefundStatus
from .settlement import refund_settle_many

logger = logging.getLogger(__name__)

SETTLE_REFUNDS_TASK = "disputes.settle_refunds"


def paid_amount(order: Order) -> Money:
    payment = getattr(order, "payment", None)
    return Money(payment.amount if payment else Decimal(0), order.currency)


def refunded_amount(order: Order) -> Money:
    return refunded_amounts([order])[order.pk]


def refunded_amounts(orders: Sequence[Order]) -> dict[int, Money]:
    """What was refunded (or is being paid) on each order, by order id: every refund but a
    failed one, in one query however many orders."""
    refunds = Refund.objects.filter(order__in=orders).exclude(status=RefundStatus.FAILED)
    totals = dict(refunds.values_list("order_id").annotate(s=Sum("amount")).order_by())
    return {order.pk: Money(totals.get(order.pk) or Decimal(0), order.currency) for order in orders}


def refundable_amount(order: Order) -> Money:
    return refundable_amounts([order])[order.pk]


def refundable_amounts(orders: Sequence[Order]) -> dict[int, Money]:
    """What may still be refunded on each order, by order id (two queries however many: pass
    orders loaded with their payment to save one)."""
    prefetch_related_objects(list(orders), "payment")
    refunded = refunded_amounts(orders)
    return {order.pk: paid_amount(order) - refunded[order.pk] for order in orders}


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
        refund.idempotency_key: refund
        for refund in Refund.objects.filter(idempotency_key__any=keys)
    }
    available = _refundable_by_order({request.order.pk for request in requests})
    results, new = [], []
    for request in requests:
        refund = known.get(request.idempotency_key)
        if refund is None:
            refund = known[request.idempotency_key] = _new_refund(request, available)
            new.append(refund)
        refund.left_after = available[request.order.pk]  # what can still be refunded afterwards
        results.append(refund)
    if new:
        insert_objects(new)
        _on_order_timelines(new)
        _settle_after_commit([refund.pk for refund in new])
    return results


def refund_reissue(*, refund_id: int, by: User) -> Refund:
    """Staff pay a refund the provider declined again, as a new refund (once per failed one,
    within what is still refundable); the buyer is told it is on its way."""
    if not by.is_staff:
        raise ActionRefused(_("Only Parley staff can pay a failed refund again."))
    with transaction.atomic():
        dispute_id = Refund.objects.filter(pk=refund_id).values_list("dispute_id", flat=True)
        list(Dispute.objects.select_for_update().filter(pk__in=dispute_id))  # dispute first
        failed = Refund.objects.select_for_update().select_related("order").get(pk=refund_id)
        if failed.status != RefundStatus.FAILED or failed.reissued_as_id is not None:
            raise ActionRefused(_("Only a failed refund not yet paid again can be paid again."))
        again = refund_issue(
            order=failed.order,
            amount=failed.money,
            reason=f"Paid again after a failed refund: {failed.reason}"[:200],
            source=events.refunds.REFUND_REISSUED.code,
            idempotency_key=f"reissue:{failed.idempotency_key}"[:120],
            dispute=failed.dispute,
        )
        Refund.objects.filter(pk=failed.pk).update(reissued_as=again)
        if failed.dispute is not None:
            data = {"refund": again.pk, "amount": str(again.amount), "currency": again.currency}
            events.record(
                failed.dispute,
                events.refunds.REFUND_REISSUED.code,
                actor=by,
                at=again.created_at,
                data={**data, "failed": failed.pk},
            )
    return again


def _on_order_timelines(refunds: list[Refund]) -> None:
    """Each new refund on its order's timeline, in one statement for all."""
    recorder = Recorder()
    for refund in refunds:
        dispute = refund.dispute.reference if refund.dispute else None
        data = {
            "refund": refund.pk,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "dispute": dispute,
        }
        refund_on_order(recorder, refund.order_id, refund.created_at, data)
    recorder.write()


def _new_refund(request: RefundRequest, available: dict[int, Decimal]) -> Refund:
    """A refund that fits what is left on its order (which it then takes off)."""
    order_id = request.order.pk
    _check(request, Money(available[order_id], request.order.currency))
    available[order_id] -= request.amount.amount
    return Refund(
        order_id=order_id,
        dispute=request.dispute,
        amount=request.amount.amount,
        currency=request.amount.currency,
        reason=request.reason,
        source=request.source,
        idempotency_key=request.idempotency_key,
        created_at=request.now or timezone.now(),
    )


def _settle_after_commit(ids: list[int]) -> None:
    # robust: a provider outage must not turn a committed act into an error page; beat's
    # settle-refunds task retries what is still pending.
    settle = _queue_settlement if _settle_in_worker.get() else refund_settle_many
    transaction.on_commit(lambda: settle(refund_ids=ids), robust=True)


_settle_in_worker = ContextVar("parley_settle_in_worker", default=False)


@contextmanager
def settled_by_worker() -> Iterator[None]:
    """Inside (the rule engine's run), refunds are handed to a Celery task after commit
    instead of being settled in this process: a provider call per refund must not hold up the
    clock. Outside, a person's refund is settled right after their act commits."""
    token = _settle_in_worker.set(True)
    try:
        yield
    finally:
        _settle_in_worker.reset(token)


# After a failed publish, skip the broker for a while: each engine batch with refunds would
# otherwise wait for the connection to fail again. Beat's settle-pending task catches up.
BROKER_BACKOFF = timedelta(seconds=30)
_broker_down_until: datetime | None = None


def _queue_settlement(*, refund_ids: list[int]) -> None:
    global _broker_down_until
    if _broker_down_until is not None and timezone.now() < _broker_down_until:
        return
    try:
        # By name: the task module imports this one, not the other way round.
        current_app.send_task(SETTLE_REFUNDS_TASK, kwargs={"refund_ids": refund_ids}, retry=False)
    except Exception:  # the broker is down: beat's settle-pending task settles them later
        _broker_down_until = timezone.now() + BROKER_BACKOFF
        logger.warning("settlement of %s refunds not queued; beat will retry", len(refund_ids))
    else:
        _broker_down_until = None


def _refundable_by_order(order_ids: set[int]) -> dict[int, Decimal]:
    """Lock the orders (in id order) and return what can still be refunded on each."""
    list(
        Order.objects.select_for_update(of=("self",))
        .filter(pk__any=order_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    paid = dict(Payment.objects.filter(order_id__any=order_ids).values_list("order_id", "amount"))
    refunded = dict(
        Refund.objects.filter(order_id__any=order_ids)
        .exclude(status=RefundStatus.FAILED)
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values_list("order_id", "total")
    )
    return {pk: paid.get(pk, Decimal(0)) - (refunded.get(pk) or Decimal(0)) for pk in order_ids}


def _check(request: RefundRequest, available: Money) -> None:
    if request.amount.currency != available.currency:
        raise ActionRefused(
            _("Refunds of this order are in %(currency)s.") % {"currency": available.currency}
        )
    if request.amount.amount <= 0:
        raise ActionRefused(_("A refund must be more than zero."))
    if request.amount > available:
        raise ActionRefused(
            _("Only %(amount)s can still be refunded on this order.")
            % {"amount": money(available.amount, available.currency)}
        )


def refund_status_label(order: Order) -> str:
    """ "Partially refunded: 20.00 of 50.00 USD" for the order's page, in the reader's words
    ("" when nothing was refunded)."""
    refunded, paid = refunded_amount(order), paid_amount(order)
    if refunded.amount == 0:
        return ""
    if refunded >= paid:
        return _("Refunded in full (%(refunded)s)") % {"refunded": _money(refunded)}
    return _("Partially refunded: %(refunded)s of %(paid)s") % {
        "refunded": _money(refunded),
        "paid": _money(paid),
    }


def _money(value: Money) -> str:
    return money(value.amount, value.currency)
