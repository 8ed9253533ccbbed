"""The order state machine, through the services that people and timers use."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ActionRefused, StaleState
from orders import services
from orders.models import Order, OrderEvent, OrderState
from orders.services import LineInput
from tests.factories import OrderFactory, ParcelFactory

pytestmark = pytest.mark.django_db


def _codes(order: Order) -> list[str]:
    return list(order.events.values_list("code", flat=True))


def _ship(order, seller, *, ships_all=True, tracking="JD0001234567", days=10, now=None):
    return services.parcel_add(
        order=order,
        actor=seller,
        carrier="dhl",
        tracking_number=tracking,
        delivery_days=days,
        ships_all=ships_all,
        now=now,
    )


def test_place_and_pay_records_total_payment_and_timeline(buyer, seller):
    lines = [LineInput("Teapot", 2, Decimal("12.50")), LineInput("Cups", 1, Decimal("5.00"))]
    order = services.order_place(buyer=buyer, store=seller.store, lines=lines, currency="EUR")
    payment = services.order_pay(order=order, amount=Decimal("30.00"), method="card")

    order.refresh_from_db()
    assert order.state == OrderState.PAID
    assert order.total == Decimal("30.00")
    assert payment.amount == Decimal("30.00") and payment.currency == "EUR"
    assert order.reference.startswith("PA-")
    assert _codes(order) == ["orders.order.placed", "orders.order.paid"]


def test_payment_of_the_wrong_amount_is_refused(buyer, seller):
    order = services.order_place(
        buyer=buyer, store=seller.store, lines=[LineInput("Mug", 1, Decimal("9"))], currency="USD"
    )
    with pytest.raises(ActionRefused, match="exactly 9"):
        services.order_pay(order=order, amount=Decimal("8.99"), method="card")
    order.refresh_from_db()
    assert order.state == OrderState.PLACED


def test_seller_cannot_buy_from_own_store(seller):
    with pytest.raises(ActionRefused):
        services.order_place(
            buyer=seller, store=seller.store, lines=[LineInput("x", 1, Decimal(1))], currency="USD"
        )


def test_parcels_then_all_shipped_sets_promised_delivery(paid_order, seller):
    t0 = timezone.now()
    _ship(paid_order, seller, ships_all=False, tracking="FIRST0001", days=7, now=t0)
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.PAID  # partly shipped: still waiting for goods

    _ship(paid_order, seller, tracking="SECOND0002", days=7, now=t0 + timedelta(hours=3))
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.SHIPPED
    assert paid_order.parcels.count() == 2
    assert paid_order.all_shipped_at == t0 + timedelta(hours=3)
    assert paid_order.promised_delivery_at == t0 + timedelta(hours=3, days=7)
    assert _codes(paid_order)[-2:] == ["orders.parcel.shipped", "orders.order.shipped"]


def test_only_the_orders_seller_may_ship(paid_order, other_seller, buyer):
    for intruder in (other_seller, buyer):
        with pytest.raises(ActionRefused, match="Only the seller"):
            _ship(paid_order, intruder)
    assert not paid_order.parcels.exists()


def test_shipping_an_unpaid_or_shipped_order_is_refused(buyer, seller):
    unpaid = OrderFactory(buyer=buyer, store=seller.store, state=OrderState.PLACED)
    with pytest.raises(StaleState):
        _ship(unpaid, seller)
    shipped = OrderFactory(buyer=buyer, store=seller.store, state=OrderState.SHIPPED)
    with pytest.raises(StaleState):
        _ship(shipped, seller, tracking="OTHER00001")


def test_tracking_number_reuse_is_refused_without_losing_the_order(paid_order, seller, buyer):
    ParcelFactory(tracking_number="DUPE000001", carrier="dhl")
    with pytest.raises(ActionRefused, match="already used"):
        _ship(paid_order, seller, tracking="DUPE000001")
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.PAID
    assert not _codes(paid_order)  # nothing half-recorded


def test_delivery_time_limit_above_policy_maximum_is_refused(paid_order, seller):
    too_long = paid_order.policy.max_delivery_days + 1
    with pytest.raises(ActionRefused, match="between 1 and"):
        _ship(paid_order, seller, days=too_long)


def test_buyer_confirms_receipt_and_protection_starts(buyer, seller):
    order = OrderFactory(buyer=buyer, store=seller.store)
    _ship(order, seller)
    now = timezone.now() + timedelta(days=2)
    order = services.order_confirm_receipt(order=order, actor=buyer, now=now)
    assert order.state == OrderState.RECEIVED
    assert order.received_at == now
    assert not order.receipt_confirmed_automatically
    days = order.policy.protection_days_after_receipt
    assert order.protection_ends_at == now + timedelta(days=days)
    event = order.events.get(code="orders.order.received")
    assert event.actor == buyer and event.from_state == "shipped" and event.to_state == "received"


def test_system_confirms_receipt_when_the_delivery_limit_runs_out(paid_order, seller):
    _ship(paid_order, seller)
    paid_order.refresh_from_db()
    order = services.order_confirm_receipt(
        order=paid_order, actor=None, now=paid_order.promised_delivery_at
    )
    assert order.receipt_confirmed_automatically
    event = order.events.get(code="orders.order.received")
    assert event.actor is None
    assert "automatically" in event.text


@pytest.mark.parametrize("who", ["seller", "other_buyer"])
def test_only_the_buyer_confirms_receipt(request, paid_order, seller, who):
    _ship(paid_order, seller)
    with pytest.raises(ActionRefused, match="not allowed"):
        services.order_confirm_receipt(order=paid_order, actor=request.getfixturevalue(who))
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.SHIPPED


def test_confirming_twice_is_refused_as_stale(paid_order, seller, buyer):
    _ship(paid_order, seller)
    services.order_confirm_receipt(order=paid_order, actor=buyer)
    with pytest.raises(StaleState, match="Received"):
        services.order_confirm_receipt(order=paid_order, actor=buyer)
    assert paid_order.events.filter(code="orders.order.received").count() == 1


def test_complete_only_after_the_protection_period(paid_order, seller, buyer):
    _ship(paid_order, seller)
    order = services.order_confirm_receipt(order=paid_order, actor=buyer)
    with pytest.raises(ActionRefused, match="not ended"):
        services.order_complete(order=order, now=order.protection_ends_at - timedelta(seconds=1))
    order = services.order_complete(order=order, now=order.protection_ends_at)
    assert order.state == OrderState.COMPLETED
    assert order.events.last().code == "orders.order.completed"


def test_cancel_allowed_before_payment_only(buyer, seller, other_buyer):
    order = OrderFactory(buyer=buyer, store=seller.store, state=OrderState.PLACED)
    with pytest.raises(ActionRefused):
        services.order_cancel(order=order, actor=other_buyer)
    order = services.order_cancel(order=order, actor=seller)
    assert order.state == OrderState.CANCELLED and order.cancelled_at

    paid = OrderFactory(buyer=buyer, store=seller.store)  # a refund, not a cancellation
    with pytest.raises(StaleState):
        services.order_cancel(order=paid, actor=buyer)


def test_state_field_cannot_be_assigned_directly(paid_order):
    with pytest.raises(AttributeError):
        paid_order.state = OrderState.COMPLETED


def test_timeline_is_append_only(paid_order, buyer):
    event = OrderEvent.objects.create(
        order=paid_order, actor=buyer, code="orders.order.cancelled", created_at=timezone.now()
    )
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        OrderEvent.objects.all().delete()


def test_actions_offered_follow_state_and_role(paid_order, seller, buyer):
    assert services.order_actions(paid_order, seller) == {"add_parcel"}
    assert services.order_actions(paid_order, buyer) == set()
    _ship(paid_order, seller)
    paid_order.refresh_from_db()
    assert services.order_actions(paid_order, buyer) == {"confirm_receipt"}
    assert services.order_actions(paid_order, seller) == set()
