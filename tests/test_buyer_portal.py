"""The buyer portal: the order list, the order page, confirming receipt, recording an order."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Order, OrderState
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


def _detail(order):
    return reverse("orders:buyer_order_detail", kwargs={"reference": order.reference})


def test_my_orders_newest_first_paginated(buyer_client, buyer):
    start = timezone.now() - timedelta(days=30)
    orders = [OrderFactory(buyer=buyer, placed_at=start + timedelta(days=i)) for i in range(23)]
    OrderFactory()  # someone else's

    first = buyer_client.get(reverse("orders:buyer_orders"))
    assert list(first.context["page"].object_list)[:2] == [orders[22], orders[21]]
    assert first.context["page"].paginator.count == 23
    assert "Page 1 of 2" in first.content.decode()
    second = buyer_client.get(reverse("orders:buyer_orders") + "?page=2")
    assert list(second.context["page"].object_list) == [orders[2], orders[1], orders[0]]


def _shipped(buyer, seller, days=10):
    order = OrderFactory(buyer=buyer, store=seller.store)
    services.parcel_add(
        order=order,
        actor=seller,
        carrier="dhl",
        tracking_number="JD014600006281",
        delivery_days=days,
        ships_all=True,
    )
    order.refresh_from_db()
    return order


def test_order_page_shows_parcels_tracking_and_promised_date(buyer_client, buyer, seller):
    order = _shipped(buyer, seller, days=10)
    html = buyer_client.get(_detail(order)).content.decode()
    assert "JD014600006281" in html and "DHL" in html
    assert f"{order.promised_delivery_at:%-d %b %Y}" in html
    assert "The seller promised delivery by" in html
    assert "I received my order" in html


def test_protection_window_countdown_until_it_closes(buyer_client, buyer, seller):
    order = _shipped(buyer, seller)
    received = timezone.now()
    services.order_confirm_receipt(order=order, actor=buyer, now=received)
    order.refresh_from_db()
    days = order.policy.protection_days_after_receipt
    assert order.protection_ends_at == received + timedelta(days=days)

    def page_at(moment) -> str:
        with time_machine.travel(moment, tick=False):
            buyer_client.force_login(buyer)  # sessions expire over weeks of travel
            return buyer_client.get(_detail(order)).content.decode()

    html = page_at(received + timedelta(days=days - 3, hours=1))
    assert "Buyer protection is open" in html
    assert "2\xa0days, 23\xa0hours left" in html
    assert f"{order.protection_ends_at:%-d %b %Y, %H:%M}" in html
    assert "Buyer protection is open" in page_at(order.protection_ends_at)
    assert "Buyer protection has ended" in page_at(order.protection_ends_at + timedelta(seconds=1))


def test_confirm_receipt_button(buyer_client, buyer, seller):
    order = _shipped(buyer, seller)
    response = buyer_client.post(
        reverse("orders:buyer_confirm_receipt", kwargs={"reference": order.reference}),
        follow=True,
    )
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED
    html = response.content.decode()
    assert "receipt confirmed" in html and "Buyer protection is open" in html
    assert "I received my order" not in html


def test_confirm_receipt_twice_shows_why_not_a_500(buyer_client, buyer, seller):
    order = _shipped(buyer, seller)
    url = reverse("orders:buyer_confirm_receipt", kwargs={"reference": order.reference})
    buyer_client.post(url)
    response = buyer_client.post(url, follow=True)
    assert "This order is now “Received”" in response.content.decode()


def _new_order_data(**overrides):
    data = {
        "currency": "USD",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "10",
        "lines-0-title": "Teapot",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "12.50",
    }
    return data | overrides


def test_record_an_order_places_and_pays_it(buyer_client, buyer, seller):
    response = buyer_client.post(
        reverse("orders:buyer_new_order"), _new_order_data(store=seller.store.pk)
    )
    order = Order.objects.get(buyer=buyer)
    assert response["Location"] == _detail(order)
    assert order.state == OrderState.PAID
    assert order.total == Decimal("25.00") and order.payment.amount == Decimal("25.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lines-0-quantity", "0", "greater than or equal to 1"),
        ("lines-0-quantity", "two", "Enter a whole number."),
        ("lines-0-unit_price", "-3", "greater than or equal to 0.01"),
        ("lines-0-unit_price", "12.345", "no more than 2 decimal places"),
        ("lines-0-unit_price", "1e5x", "Enter a number."),
    ],
)
def test_malformed_quantity_or_price_is_refused_and_input_kept(
    buyer_client, seller, field, value, message
):
    data = _new_order_data(store=seller.store.pk, **{field: value})
    response = buyer_client.post(reverse("orders:buyer_new_order"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Teapot"' in html and f'value="{value}"' in html
    assert not Order.objects.exists()


def test_an_order_needs_at_least_one_item(buyer_client, seller):
    data = _new_order_data(
        store=seller.store.pk,
        **{"lines-0-title": "", "lines-0-quantity": "", "lines-0-unit_price": ""},
    )
    response = buyer_client.post(reverse("orders:buyer_new_order"), data)
    assert "Add at least one item." in response.content.decode()
