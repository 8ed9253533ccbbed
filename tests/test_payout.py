"""Payout: what is released to the seller at completion is what was paid minus what was
refunded (a failed refund was not), recorded on the order, told and shown to the seller."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from disputes import services
from disputes.models import Reason, Refund, RefundStatus, Remedy
from notifications.models import Notification
from orders import services as order_services
from orders.events import COMPLETED
from orders.models import OrderState
from tests.factories import shipped_order
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _received_with_refund(buyer, seller, amount="20"):
    order = order_services.order_confirm_receipt(
        order=shipped_order(buyer=buyer, seller=seller), actor=buyer
    )
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.WRONG_ITEM,
        proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(amount)),
        description="Wrong colour.",
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    return order


def _complete(order):
    assert order.protection_ends_at is not None
    with time_machine.travel(order.protection_ends_at + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    return order


def test_the_payout_is_what_was_paid_minus_refunds(client, buyer, seller):
    order = _complete(_received_with_refund(buyer, seller))
    assert order.payout == Decimal("30.00")
    event = order.events.get(code=COMPLETED.code)
    assert event.data["released"] == "30.00" and event.data["refunded"] == "20.00"
    note = Notification.objects.filter(recipient=seller, code=COMPLETED.code).get()
    assert "payout" in note.words.subject
    assert "30.00 USD is released to you (50.00 USD paid, 20.00 USD refunded)." in note.words.body
    client.force_login(seller)
    page = client.get(f"/seller/orders/{order.reference}/").content.decode()
    assert "30.00 USD</strong> released to you" in page


def test_a_failed_refund_is_not_taken_from_the_payout(buyer, seller):
    order = _received_with_refund(buyer, seller)
    Refund.objects.filter(order=order).update(status=RefundStatus.FAILED)
    assert _complete(order).payout == Decimal("50.00")


def test_without_refunds_everything_paid_is_released(buyer, seller):
    order = order_services.order_confirm_receipt(
        order=shipped_order(buyer=buyer, seller=seller), actor=buyer
    )
    order = _complete(order)
    assert order.payout == Decimal("50.00")
    note = Notification.objects.get(recipient=seller)
    assert note.words.body.endswith("50.00 USD is released to you.")
