"""Paying refunds out through the provider, each exactly once, whatever crashes in between.

Each refund is settled in three short steps: (1) under its row lock, count the attempt and
commit; (2) call the provider with the refund's idempotency key, holding no lock; (3) under
the lock again, mark it settled unless someone already did. A worker killed between (2) and
(3) leaves the refund pending with its attempt recorded; the retry calls the provider again
with the same key, and the provider answers as before instead of paying twice. Nothing is
batched across refunds, so a crash mid-batch loses no result that was already recorded.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import StaleState

from . import events
from .gateway import RefundDeclined, Settlement, get_gateway
from .models import Dispute, Refund, RefundStatus

logger = logging.getLogger(__name__)


def refund_settle(*, refund_id: int) -> Refund:
    """Hand a pending refund to the provider; settling twice does nothing."""
    refund = _claim(refund_id, wait=True)
    if refund is None:
        return Refund.objects.get(pk=refund_id)
    try:
        _record(refund, get_gateway().settle(refund, idempotency_key=refund.idempotency_key))
    except RefundDeclined as declined:
        _fail(refund, declined.reason)
    refund.refresh_from_db()
    return refund


def refund_settle_many(*, refund_ids: list[int]) -> int:
    """Settle refunds still pending, one after the other; one the provider refuses stays
    pending for beat's retry, the others are settled. Returns how many were settled."""
    settled = 0
    for refund_id in refund_ids:
        refund = _claim(refund_id, wait=False)
        if refund is None:
            continue  # settled already, or another worker holds it right now
        try:
            settlement = get_gateway().settle(refund, idempotency_key=refund.idempotency_key)
        except RefundDeclined as declined:
            _fail(refund, declined.reason)
            continue
        except Exception:  # one failing refund must not stop the others
            logger.exception("refund %s could not be settled; will retry", refund_id)
            continue
        settled += _record(refund, settlement)
    return settled


@dataclass
class Catchup:
    settled: int = 0
    left: bool = False  # refunds still waiting when the time budget ran out


def settle_pending(
    *, older_than_seconds: int = 60, batch: int = 200, budget_seconds: float = 30.0
) -> Catchup:
    """Retry settlement of refunds still pending (provider down, worker lost, broker down while
    the engine ran), in batches until none is left or the time budget is spent. Each refund is
    tried once per call, so one the provider keeps refusing cannot hold the loop."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    started, tried, result = time.monotonic(), set[int](), Catchup()
    waiting = Refund.objects.filter(
        status=RefundStatus.PENDING, settles_outside=False, created_at__lte=cutoff
    )
    while ids := list(
        waiting.exclude(pk__in=tried).order_by("created_at").values_list("id", flat=True)[:batch]
    ):
        if time.monotonic() - started > budget_seconds:
            result.left = True
            break
        tried.update(ids)
        result.settled += refund_settle_many(refund_ids=ids)
    return result


@transaction.atomic
def _claim(refund_id: int, *, wait: bool) -> Refund | None:
    """Step 1: the attempt is on the record (committed) before the provider is called."""
    rows = Refund.objects.select_for_update(skip_locked=not wait)
    refund = rows.filter(pk=refund_id, status=RefundStatus.PENDING, settles_outside=False).first()
    if refund is None:
        return None
    Refund.objects.filter(pk=refund_id).update(
        settlement_attempts=F("settlement_attempts") + 1, last_attempt_at=timezone.now()
    )
    return refund


@transaction.atomic
def _record(refund: Refund, settlement: Settlement) -> bool:
    """Step 3: settled once; a late duplicate answer never overwrites the first reference."""
    now = timezone.now()
    marked = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.SETTLED,
        provider_reference=settlement.provider_reference,
        settled_at=now,
    )
    if marked and refund.dispute_id is not None:
        data = {"refund": refund.pk, "amount": str(refund.amount), "currency": refund.currency}
        dispute = Dispute.objects.get(pk=refund.dispute_id)
        events.record(dispute, events.refunds.REFUND_SETTLED.code, actor=None, at=now, data=data)
    return marked == 1


@transaction.atomic
def _fail(refund: Refund, reason: str) -> None:
    """The provider refused for good: the refund no longer counts (the ledger leaves failed
    refunds out, so the amount can be paid again), and the buyer is told what happens next."""
    now = timezone.now()
    failed = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
        status=RefundStatus.FAILED, failed_at=now, failure_reason=reason[:200]
    )
    if failed and refund.dispute is not None:
        data = {"refund": refund.pk, "amount": str(refund.amount), "currency": refund.currency}
        events.record(
            refund.dispute,
            events.refunds.REFUND_FAILED.code,
            actor=None,
            at=now,
            data={**data, "reason": reason[:200]},
        )
    logger.warning("refund %s declined by the provider: %s", refund.pk, reason)


@transaction.atomic
def refund_report_settled(*, refund_id: int, provider_reference: str) -> Refund:
    """The marketplace paid the refund with its own provider and says so: settled once. The
    same report again changes nothing; one that contradicts what is recorded is refused."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == RefundStatus.SETTLED and refund.provider_reference == provider_reference:
        return refund
    if refund.status != RefundStatus.PENDING:
        raise StaleState(_already(refund))
    _record(refund, Settlement(provider_reference=provider_reference))
    refund.refresh_from_db()
    return refund


@transaction.atomic
def refund_report_failed(*, refund_id: int, reason: str) -> Refund:
    """The marketplace's provider refused the refund for good: failed once, as when our own
    gateway is refused. The same report again changes nothing; a contradicting one is refused."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == RefundStatus.FAILED:
        return refund
    if refund.status != RefundStatus.PENDING:
        raise StaleState(_already(refund))
    _fail(refund, reason)
    refund.refresh_from_db()
    return refund


def _already(refund: Refund) -> str:
    if refund.status == RefundStatus.SETTLED:
        return _("This refund was already settled (provider reference %(reference)s).") % {
            "reference": refund.provider_reference
        }
    # Translators: %(reason)s is the payment provider's own words.
    return _("This refund already failed: %(reason)s") % {"reason": refund.failure_reason}
