"""When a dispute may be opened: the edges of policy.md's window, with the clock moved."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from disputes.rules import opening_window
from orders import services as order_services
from orders.models import OrderState
from tests.factories import OrderFactory, ruled_dispute

pytestmark = pytest.mark.django_db

SHIPPED_AT = timezone.now().replace(microsecond=0) - timedelta(days=40)


def _shipped(buyer, seller, delivery_days):
    return OrderFactory(
        buyer=buyer,
        store=seller.store,
        state=OrderState.SHIPPED,
        delivery_days=delivery_days,
        all_shipped_at=SHIPPED_AT,
        promised_delivery_at=SHIPPED_AT + timedelta(days=delivery_days),
    )


def _allowed_at(order, moment) -> bool:
    with time_machine.travel(moment, tick=False):
        return opening_window(order, timezone.now()).allowed


@pytest.mark.parametrize(
    ("after_shipping", "allowed"),
    [
        (timedelta(days=5), True),
        (timedelta(days=4, hours=23, minutes=59), False),
        (timedelta(days=4, hours=23, minutes=59, seconds=59), False),
    ],
)
def test_earliest_is_five_days_after_all_goods_shipped(buyer, seller, after_shipping, allowed):
    order = _shipped(buyer, seller, delivery_days=20)
    assert order.policy.dispute_earliest_days_after_shipping == 5
    assert _allowed_at(order, SHIPPED_AT + after_shipping) is allowed


def test_refusal_says_from_when(buyer, seller):
    order = _shipped(buyer, seller, delivery_days=20)
    window = opening_window(order, SHIPPED_AT + timedelta(days=1))
    assert not window.allowed
    assert window.opens_at == SHIPPED_AT + timedelta(days=5)
    assert f"from {window.opens_at:%-d %b %Y, %H:%M} UTC" in window.explanation


def test_a_delivery_limit_under_five_days_opens_the_window_at_once(buyer, seller):
    order = _shipped(buyer, seller, delivery_days=3)
    assert _allowed_at(order, SHIPPED_AT)
    assert _allowed_at(order, SHIPPED_AT + timedelta(minutes=1))


def test_latest_is_fifteen_days_after_receipt(buyer, seller):
    order = _shipped(buyer, seller, delivery_days=10)
    received = SHIPPED_AT + timedelta(days=8)
    order = order_services.order_confirm_receipt(order=order, actor=buyer, now=received)
    end = received + timedelta(days=15)
    assert order.protection_ends_at == end
    assert _allowed_at(order, end)
    assert not _allowed_at(order, end + timedelta(seconds=1))
    window = opening_window(order, end + timedelta(seconds=1))
    assert "ended on" in window.explanation


def test_not_before_shipping_and_not_after_completion(buyer, seller):
    paid = OrderFactory(buyer=buyer, store=seller.store)
    assert "once the seller has shipped" in opening_window(paid, timezone.now()).explanation
    done = OrderFactory(buyer=buyer, store=seller.store, state=OrderState.COMPLETED)
    assert not opening_window(done, timezone.now()).allowed


def test_no_new_dispute_while_a_ruling_can_be_appealed(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    window = opening_window(dispute.order, timezone.now())
    assert not window.allowed and dispute.reference in window.explanation
