"""A refund the payment provider declines for good is marked failed, with the provider's reason,
no longer counts as refunded, and is told to the buyer with what happens next; Parley staff pay
it again once, within what is still refundable. A passing error (an outage) leaves it pending."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import ActionRefused
from disputes import services
from disputes.gateway import RecordingGateway, RefundDeclined, get_gateway
from disputes.ledger import refund_reissue, refundable_amount
from disputes.models import Refund, RefundStatus
from disputes.presenters import refund_line
from disputes.settlement import refund_settle, refund_settle_many
from notifications.models import Notification
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


class DecliningGateway:
    def settle(self, refund, *, idempotency_key):
        raise RefundDeclined("the card was closed")


class DownGateway:
    def settle(self, refund, *, idempotency_key):
        raise ConnectionError("provider timed out")


@pytest.fixture
def gateway(settings):
    def use(cls):
        settings.PARLEY_REFUND_GATEWAY = f"{__name__}.{cls.__name__}"
        get_gateway.cache_clear()

    yield use
    get_gateway.cache_clear()


def _refunded(buyer, seller):
    with time_machine.travel(THURSDAY, tick=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    return dispute, Refund.objects.get(dispute=dispute)


def test_a_declined_refund_fails_and_no_longer_counts(buyer, seller, gateway):
    dispute, refund = _refunded(buyer, seller)
    paid = refund.order.payment.amount
    gateway(DecliningGateway)
    refund = refund_settle(refund_id=refund.pk)
    assert refund.status == RefundStatus.FAILED
    assert refund.failure_reason == "the card was closed"
    assert refundable_amount(refund.order).amount == paid
    event = dispute.events.get(code="disputes.refund.failed")
    assert event.data["amount"] == "20.00"
    note = Notification.objects.get(recipient=buyer, code="disputes.refund.failed")
    assert "a refund failed" in note.words.subject and "will pay it again" in note.words.body
    assert not Notification.objects.filter(recipient=seller, code="disputes.refund.failed")


def test_the_failed_refund_says_why_and_what_happens_next(client, buyer, seller, gateway):
    dispute, refund = _refunded(buyer, seller)
    gateway(DecliningGateway)
    refund_settle_many(refund_ids=[refund.pk])
    refund.refresh_from_db()
    assert refund_line(refund).words.startswith(
        "Failed: the payment provider could not pay it back (the card was closed)."
    )
    client.force_login(buyer)
    page = client.get(reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference}))
    text = page.content.decode()
    assert "Parley support will pay it again" in text
    assert "could not pay the refund of 20.00 USD back" in text  # on the timeline


def test_a_passing_provider_error_leaves_the_refund_pending(buyer, seller, gateway):
    _, refund = _refunded(buyer, seller)
    gateway(DownGateway)
    assert refund_settle_many(refund_ids=[refund.pk]) == 0
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING and refund.settlement_attempts == 1


def test_staff_pay_a_failed_refund_again_once(buyer, seller, arbiter, gateway):
    dispute, refund = _refunded(buyer, seller)
    gateway(DecliningGateway)
    refund_settle(refund_id=refund.pk)
    gateway(RecordingGateway)
    again = refund_reissue(refund_id=refund.pk, by=arbiter)
    assert again.status == RefundStatus.PENDING and again.amount == Decimal("20.00")
    refund.refresh_from_db()
    assert refund.reissued_as == again
    assert "paid it again" in refund_line(refund).words
    with pytest.raises(ActionRefused, match="not yet paid again"):
        refund_reissue(refund_id=refund.pk, by=arbiter)
    assert refund_settle(refund_id=again.pk).status == RefundStatus.SETTLED
    assert dispute.events.filter(code="disputes.refund.reissued").count() == 1
    counted = Refund.objects.exclude(status=RefundStatus.FAILED).filter(order=refund.order)
    assert [r.amount for r in counted] == [Decimal("20.00")]


def test_only_staff_pay_again_and_only_failed_refunds(buyer, seller, arbiter):
    _, refund = _refunded(buyer, seller)
    with pytest.raises(ActionRefused, match="Only Parley staff"):
        refund_reissue(refund_id=refund.pk, by=buyer)
    with pytest.raises(ActionRefused, match="Only a failed refund"):
        refund_reissue(refund_id=refund.pk, by=arbiter)


def test_paying_again_stays_within_what_is_refundable(buyer, seller, arbiter, gateway):
    _, refund = _refunded(buyer, seller)
    gateway(DecliningGateway)
    refund_settle(refund_id=refund.pk)
    gateway(RecordingGateway)
    paid = refund.order.payment.amount
    Refund.objects.create(
        order=refund.order, amount=paid, currency="USD", reason="other", source="test",
        idempotency_key="other", created_at=THURSDAY,
    )  # fmt: skip
    with pytest.raises(ActionRefused, match="can still be refunded"):
        refund_reissue(refund_id=refund.pk, by=arbiter)


def test_a_settled_refund_is_on_the_timeline_and_told_to_the_buyer(buyer, seller):
    dispute, refund = _refunded(buyer, seller)
    refund_settle(refund_id=refund.pk)
    refund_settle(refund_id=refund.pk)  # settling twice records once
    events = dispute.events.filter(code="disputes.refund.settled")
    assert [e.data["amount"] for e in events] == ["20.00"]
    note = Notification.objects.get(recipient=buyer, code="disputes.refund.settled")
    assert "your refund is paid" in note.words.subject
    assert "paid back to the original payment method" in note.words.body
