"""The seller dashboard and delivery form, through real requests."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import OrderState
from tests.factories import OrderFactory, ParcelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller_client(client, seller):
    client.force_login(seller)
    return client


def _ship_url(order):
    return reverse("orders:seller_ship", kwargs={"reference": order.reference})


def _post(client, order, **overrides):
    data = {
        "carrier": "ups",
        "tracking_number": "1z-999 aa1 0123456784",
        "delivery_days": "8",
        "ships_all": "on",
    } | overrides
    return client.post(_ship_url(order), data)


def test_dashboard_lists_orders_to_ship_oldest_paid_first(seller_client, seller, buyer):
    now = timezone.now()
    newer = OrderFactory(store=seller.store, paid_at=now - timedelta(days=1))
    older = OrderFactory(store=seller.store, paid_at=now - timedelta(days=3))
    shipped = OrderFactory(store=seller.store, state=OrderState.SHIPPED, all_shipped_at=now)
    OrderFactory(state=OrderState.PAID)  # another store's order: never shown

    page = seller_client.get(reverse("orders:seller_dashboard"))
    to_ship = list(page.context["to_ship"].object_list)
    assert to_ship == [older, newer]
    assert list(page.context["shipped"].object_list) == [shipped]
    html = page.content.decode()
    assert html.index(older.reference) < html.index(newer.reference)


def test_valid_delivery_form_ships_the_order(seller_client, paid_order):
    response = _post(seller_client, paid_order)
    assert response.status_code == 302
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.SHIPPED
    parcel = paid_order.parcels.get()
    assert parcel.tracking_number == "1Z999AA10123456784"  # spaces/dashes dropped, upper case
    assert paid_order.delivery_days == 8
    detail = seller_client.get(response["Location"]).content.decode()
    assert "Parcel 1Z999AA10123456784 recorded." in detail
    assert "You promised delivery by" in detail


def test_partial_shipment_keeps_the_order_to_ship(seller_client, paid_order):
    _post(seller_client, paid_order, ships_all="")
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.PAID
    assert paid_order.parcels.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("tracking_number", "12#$", "A tracking number is 8 to 30 letters and digits"),
        ("tracking_number", "", "This field is required."),
        ("delivery_days", "0", "greater than or equal to 1"),
        ("delivery_days", "abc", "Enter a whole number."),
        ("delivery_days", "91", "less than or equal to 90"),
        ("carrier", "pigeon", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_kept(
    seller_client, paid_order, field, value, message
):
    response = _post(seller_client, paid_order, **{field: value, "carrier": "dhl"} | {field: value})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    html = response.content.decode()
    assert 'value="1z-999 aa1 0123456784"' in html or field == "tracking_number"
    paid_order.refresh_from_db()
    assert paid_order.state == OrderState.PAID and not paid_order.parcels.exists()


def test_reused_tracking_number_shows_a_message_and_keeps_input(seller_client, paid_order):
    ParcelFactory(carrier="ups", tracking_number="1Z999AA10123456784")
    response = _post(seller_client, paid_order)
    assert response.status_code == 200
    html = response.content.decode()
    assert "already used for another shipment" in html
    assert 'value="1z-999 aa1 0123456784"' in html
    assert not paid_order.parcels.exists()


def test_form_for_an_order_already_shipped_explains_instead_of_failing(seller_client, seller):
    order = OrderFactory(store=seller.store, state=OrderState.SHIPPED)
    response = _post(seller_client, order)
    assert response.status_code == 200
    assert "it cannot be shipped" in response.content.decode()
