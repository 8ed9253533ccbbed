"""Each refund is paid out once, whatever crashes between the provider's answer and our record."""

from decimal import Decimal

import pytest

from core.money import Money
from disputes import ledger, settlement
from disputes.gateway import Settlement
from disputes.models import Refund, RefundStatus

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """What SIGKILL looks like to the code that was running: nothing after it happens."""


class ProviderLedger:
    """A provider that honours idempotency keys, and counts what it was asked."""

    def __init__(self, kill_on_call: int | None = None):
        self.calls: list[str] = []
        self.paid: dict[str, str] = {}
        self.kill_on_call = kill_on_call

    def settle(self, refund, *, idempotency_key: str) -> Settlement:
        self.calls.append(idempotency_key)
        reference = self.paid.setdefault(idempotency_key, f"rf_{len(self.paid) + 1}")
        if len(self.calls) == self.kill_on_call:
            raise WorkerKilled
        return Settlement(provider_reference=reference)


@pytest.fixture
def provider(monkeypatch):
    gateway = ProviderLedger()
    monkeypatch.setattr(settlement, "get_gateway", lambda: gateway)
    return gateway


def _pending(order, n: int) -> list[Refund]:
    return [
        ledger.refund_issue(
            order=order,
            amount=Money(Decimal("5.00"), "USD"),
            reason="test",
            source="tests",
            idempotency_key=f"refund-{i}",
        )
        for i in range(n)
    ]  # no commit in this test, so nothing settles on its own


def test_a_worker_killed_mid_batch_pays_nobody_twice(paid_order, provider):
    refunds = _pending(paid_order, 3)
    provider.kill_on_call = 2  # the provider paid the second, then the worker died
    with pytest.raises(WorkerKilled):
        settlement.refund_settle_many(refund_ids=[r.pk for r in refunds])
    provider.kill_on_call = None
    assert settlement.refund_settle_many(refund_ids=[r.pk for r in refunds]) == 2
    # The first was recorded before the crash and not asked again; the second was asked again
    # with its key, so the provider paid it once.
    assert provider.calls == ["refund-0", "refund-1", "refund-1", "refund-2"]
    assert len(provider.paid) == 3
    settled = Refund.objects.filter(status=RefundStatus.SETTLED).order_by("pk")
    assert [r.provider_reference for r in settled] == ["rf_1", "rf_2", "rf_3"]
    assert [r.settlement_attempts for r in settled] == [1, 2, 1]


def test_a_late_second_answer_never_overwrites_the_first_reference(paid_order, provider):
    (refund,) = _pending(paid_order, 1)
    settlement.refund_settle(refund_id=refund.pk)
    settlement._record(refund, Settlement(provider_reference="rf_other"))
    refund.refresh_from_db()
    assert refund.provider_reference == "rf_1" and refund.settlement_attempts == 1


def test_the_demo_gateway_answers_a_repeated_key_alike():
    gateway = settlement.get_gateway()
    first = gateway.settle(Refund(), idempotency_key="k")
    assert gateway.settle(Refund(), idempotency_key="k") == first
    assert gateway.settle(Refund(), idempotency_key="other") != first
