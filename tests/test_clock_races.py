"""A buyer files a dispute while the order clocks claim the same order (issue 12, finding 1).

The order clocks pick "shipped, overdue, no not-received claim" (or "protection over, no dispute
holding the payout") and lock those orders in one statement, whose snapshot is taken when it
starts. A claim filed and committed while that statement runs is invisible to it: the clock
must look again once it holds the order, which opening a dispute locks first.

Real threads on PostgreSQL. The claim statement is made to take its time (as it does over a
batch of thousands of orders), and the buyer files exactly while it runs: the interleaving that
the audit's random races hit now and then happens every time here.
"""

import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from disputes import services
from disputes.clocks.rules import ProtectionEndRule, ReceiptRule
from disputes.models import Dispute, DisputeState, Reason, Remedy
from orders import services as order_services
from orders.models import Order, OrderState
from tests.factories import BuyerFactory, SellerFactory, shipped_order
from timers.engine import Report, enforce_deadlines

pytestmark = pytest.mark.django_db(transaction=True)

PAUSE = 0.5  # seconds the claim statement spends between its snapshot and its row locks


class _SlowClaim:
    """The rule's claim statement pauses once after it started (as over a long batch)."""

    def overdue(self, now: datetime) -> QuerySet:
        pause = RawSQL("SELECT 1 FROM pg_sleep(%s)", [PAUSE], output_field=IntegerField())
        return super().overdue(now).annotate(claim_pause=pause)  # type: ignore[misc]


class _SlowReceipt(_SlowClaim, ReceiptRule):
    pass


class _SlowProtectionEnd(_SlowClaim, ProtectionEndRule):
    pass


def _claim_running() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'"
            " AND datname = current_database()"
        )
        return cursor.fetchone()[0] > 0


def _file_while_claiming(engine: Callable[[], object], file: Callable[[], object]) -> list:
    """Run the engine; the moment its claim statement runs, the buyer files. Returns errors."""
    errors: list[str] = []

    def run(act: Callable[[], object], wait: bool) -> None:
        try:
            if wait:
                limit = time.monotonic() + 10
                while not _claim_running():
                    assert time.monotonic() < limit, "the claim statement never ran"
                    time.sleep(0.005)
            act()
        except Exception as exc:  # reported by the caller
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(engine, False)),
        threading.Thread(target=run, args=(file, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def _file(order: Order, buyer, reason: str, now: datetime) -> Callable[[], Dispute]:
    return lambda: services.dispute_open(
        order=order,
        actor=buyer,
        reason=reason,
        proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("20")),
        description="Where is it?",
        now=now,
    )


@pytest.mark.parametrize("attempt", range(3))
def test_receipt_is_not_confirmed_behind_a_claim_filed_while_the_clock_claims(attempt):
    buyer, seller = BuyerFactory(), SellerFactory()
    # Promised 20 days ago: confirmed then, its protection would be over already, so a claim
    # after the clock's act is refused; a claim that got in first must stop the clock.
    order = shipped_order(buyer=buyer, seller=seller, days_ago=30, delivery_days=10)
    now = timezone.now()

    reports: list[Report] = []
    errors = _file_while_claiming(
        lambda: reports.append(enforce_deadlines(now=now, rules=[_SlowReceipt()])),
        _file(order, buyer, Reason.NOT_RECEIVED, now),
    )

    order.refresh_from_db()
    claims = Dispute.objects.filter(order=order, state=DisputeState.AWAITING_SELLER)
    assert claims.exists(), errors  # the buyer filed while the clock was claiming
    assert not errors, errors
    assert order.state == OrderState.SHIPPED and not order.receipt_confirmed_automatically
    # The clock claimed the order after the claim was filed and passed it by (skipped 1), or, on
    # a loaded box, PostgreSQL's recheck of the locked row already left it out (skipped 0):
    # either way it did nothing to the order.
    assert reports[0].total == 0 and reports[0].skipped in (0, 1)


@pytest.mark.parametrize("attempt", range(3))
def test_protection_does_not_end_under_a_dispute_filed_while_the_clock_claims(attempt):
    buyer, seller = BuyerFactory(), SellerFactory()
    order = shipped_order(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=order, actor=buyer)
    end = order.protection_ends_at  # the last moment a dispute may be filed, and the clock's

    reports: list[Report] = []
    errors = _file_while_claiming(
        lambda: reports.append(enforce_deadlines(now=end, rules=[_SlowProtectionEnd()])),
        _file(order, buyer, Reason.WRONG_ITEM, end),
    )

    order.refresh_from_db()
    holding = Dispute.objects.filter(order=order, state=DisputeState.AWAITING_SELLER)
    assert holding.exists(), errors
    assert not errors, errors
    assert order.state == OrderState.RECEIVED and order.completed_at is None
    assert reports[0].total == 0 and reports[0].skipped in (0, 1)  # as above
