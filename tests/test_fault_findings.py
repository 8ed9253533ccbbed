"""What bench/faults.py found, each fixed and kept as its regression test.

1. The engine's database connection terminated mid-run (pg_terminate_backend): the run stopped
   after 500 of 1,500 acts, printed "enforce_deadlines: 500 dispute deadlines (1 batches)" and
   exited 0 (issue 12, finding 9, still open). A claim that raises is taken for "nothing left to
   claim": `_act` catches it with nothing claimed, returns 0, and the loop ends as if every
   overdue row were held by someone else.
2. Refunds whose settlement could not be queued (the broker was down while the engine ran)
   are settled by beat's settle-refunds task: 200 per tick, one tick per 5 minutes, and no
   continuation. 1,000 such refunds took 5 ticks (25 minutes of real time); the 33,332 refunds
   of the engine bench would take 14 hours. The outbox drains until nothing is due; settlement
   does not.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from disputes import settlement
from disputes.gateway import Settlement
from disputes.models import Refund, RefundStatus
from tests.factories import BuyerFactory, OrderFactory, SellerFactory, open_dispute
from timers import engine

pytestmark = pytest.mark.django_db


def test_engine_says_so_and_exits_non_zero_when_its_database_fails(monkeypatch, capsys):
    dispute = open_dispute(buyer=BuyerFactory(), seller=SellerFactory(), opened_days_ago=6)
    assert dispute.deadlines.filter(due_at__lte=timezone.now(), status="pending").exists()

    def connection_lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(engine, "_claim", connection_lost)
    try:
        call_command("enforce_deadlines")
    except SystemExit as stopped:
        assert stopped.code != 0
    except Exception:  # CommandError, or the error itself: either way the process exits 1
        pass
    else:
        raise AssertionError(f"exited 0: {capsys.readouterr().out.strip()!r}")


class Provider:
    def settle(self, refund, *, idempotency_key: str) -> Settlement:
        return Settlement(provider_reference=f"rf_{idempotency_key}")


def test_beats_settlement_catch_up_settles_a_backlog_or_continues(monkeypatch):
    from disputes.tasks import settle_pending_refunds_task

    order = OrderFactory(buyer=BuyerFactory(), store=SellerFactory().store, total=Decimal(1000))
    long_ago = timezone.now() - timedelta(minutes=10)
    Refund.objects.bulk_create(
        Refund(
            order=order,
            amount=Decimal(1),
            currency="USD",
            reason="backlog",
            source="bench",
            idempotency_key=f"backlog:{i}",
            created_at=long_ago,
        )
        for i in range(250)
    )
    monkeypatch.setattr(settlement, "get_gateway", Provider)
    sent: list[str] = []
    monkeypatch.setattr(
        "celery.current_app.send_task", lambda name, *a, **k: sent.append(name), raising=False
    )

    settle_pending_refunds_task()

    pending = Refund.objects.filter(status=RefundStatus.PENDING).count()
    assert pending == 0 or sent, f"{pending} refunds left pending, no continuation queued"
