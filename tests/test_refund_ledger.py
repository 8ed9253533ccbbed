"""The refund ledger: never more than was paid, each refund once, settled after commit."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ActionRefused
from core.money import Money
from disputes import ledger, settlement
from disputes.models import Refund, RefundStatus
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _issue(order, amount, key):
    return ledger.refund_issue(
        order=order,
        amount=Money(Decimal(amount), "USD"),
        reason="test",
        source="tests",
        idempotency_key=key,
    )


def test_refunds_add_up_to_at_most_what_was_paid(paid_order):
    _issue(paid_order, "30.00", "a")
    with pytest.raises(ActionRefused, match=r"Only 20\.00 USD can still be refunded"):
        _issue(paid_order, "20.01", "b")
    _issue(paid_order, "20.00", "c")
    assert ledger.refundable_amount(paid_order).amount == 0
    assert ledger.refund_status_label(paid_order) == "Refunded in full (50.00 USD)"


def test_same_key_makes_one_refund(paid_order):
    first = _issue(paid_order, "10.00", "dispute:1:offer:1")
    again = _issue(paid_order, "10.00", "dispute:1:offer:1")
    assert first.pk == again.pk and Refund.objects.count() == 1


def test_currency_must_match(paid_order):
    with pytest.raises(ActionRefused, match="in USD"):
        ledger.refund_issue(
            order=paid_order,
            amount=Money(Decimal(5), "EUR"),
            reason="x",
            source="x",
            idempotency_key="eur",
        )


def test_settled_after_commit_and_only_once(paid_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refund = _issue(paid_order, "10.00", "k")
    settlements = [c for c in callbacks if "_settle_after_commit" in getattr(c, "__qualname__", "")]
    assert len(settlements) == 1  # (other apps may add their own after-commit work)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SETTLED
    reference = refund.provider_reference
    settlement.refund_settle(refund_id=refund.pk)
    refund.refresh_from_db()
    assert refund.provider_reference == reference


def test_database_trigger_refuses_a_raw_overpayment(paid_order):
    Refund.objects.create(
        order=paid_order,
        amount=Decimal("50.00"),
        currency="USD",
        reason="raw",
        source="raw",
        idempotency_key="raw-1",
        created_at=timezone.now(),
    )
    with pytest.raises(IntegrityError, match="exceed its payment"), transaction.atomic():
        Refund.objects.create(
            order=paid_order,
            amount=Decimal("0.01"),
            currency="USD",
            reason="raw",
            source="raw",
            idempotency_key="raw-2",
            created_at=timezone.now(),
        )


def test_unpaid_orders_cannot_be_refunded():
    unpaid = OrderFactory(state="placed")
    with pytest.raises(ActionRefused, match=r"Only 0\.00 USD"):
        _issue(unpaid, "1.00", "u")


def _request(order, amount, key):
    return ledger.RefundRequest(
        order=order,
        amount=Money(Decimal(amount), "USD"),
        reason="test",
        source="tests",
        idempotency_key=key,
    )


def test_a_batch_is_checked_refund_by_refund_and_records_nothing_if_one_is_refused(paid_order):
    """The engine's batch form: two refunds of one order in one call add up like two calls."""
    batch = [_request(paid_order, "30.00", "a"), _request(paid_order, "20.01", "b")]
    with pytest.raises(ActionRefused, match=r"Only 20\.00 USD"), transaction.atomic():
        ledger.refund_issue_many(batch)
    assert not Refund.objects.exists()

    first, again, rest = ledger.refund_issue_many(
        [
            _request(paid_order, "30.00", "a"),
            _request(paid_order, "30.00", "a"),
            _request(paid_order, "20.00", "c"),
        ]
    )
    assert first.pk == again.pk and Refund.objects.count() == 2
    assert (first.left_after, rest.left_after) == (Decimal("20.00"), Decimal("0.00"))


def test_database_trigger_refuses_a_raw_update_that_overpays(paid_order):
    refund = _issue(paid_order, "10.00", "raw-update")
    with pytest.raises(IntegrityError, match="exceed its payment"), transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(amount=Decimal("50.01"))
