"""In: a marketplace sends its users, stores, orders with payments and parcels; every write is
idempotent (Idempotency-Key, external ids) and a key touches only its integration's objects."""

import re

import pytest

from accounts.models import User
from integration.models import IdempotencyRecord, Scope
from orders.models import Order, OrderEvent, OrderState, Parcel, Payment, Store
from tests.api_helpers import BUYER, ORDER, PARCEL, SELLER, STORE, market, send_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def m():
    return market("Bazaar")


def test_an_order_sent_in_is_placed_and_paid_with_the_marketplaces_reference(client, m):
    send_order(client, m)
    order = Order.objects.get()
    assert order.state == OrderState.PAID and order.total == 50
    assert order.buyer.email == "bo@mail.test" and order.store.name == "Sam's kettles"
    assert [(line.title, line.quantity) for line in order.lines.all()] == [
        ("Blue kettle", 1),
        ("Mug", 2),
    ]
    assert Payment.objects.get().provider_reference == "ch_123"
    assert order.delivery_days == 7
    assert not order.buyer.has_usable_password()


def test_a_parcel_ships_the_order_as_the_seller(client, m):
    send_order(client, m)
    response = m.post(client, "/parcels", PARCEL)
    assert response.status_code == 201
    order = Order.objects.get()
    assert order.state == OrderState.SHIPPED
    # a moment in UTC to the millisecond, as in every other answer
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z", response.json()["shipped_at"])
    assert Parcel.objects.get().tracking_number == "JD0001"
    shipped = OrderEvent.objects.get(order=order, code="orders.order.shipped")
    assert shipped.actor_id == order.store.owner_id


class TestRetries:
    def test_the_same_call_with_the_same_key_is_answered_as_before_without_acting(self, client, m):
        send_order(client, m)
        first = m.post(client, "/parcels", PARCEL, key="k-1")
        again = m.post(client, "/parcels", PARCEL, key="k-1")
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        assert again["Idempotent-Replayed"] == "true"
        assert Parcel.objects.count() == 1 and IdempotencyRecord.objects.count() == 1

    def test_the_same_key_with_another_body_is_refused(self, client, m):
        send_order(client, m)
        m.post(client, "/parcels", PARCEL, key="k-1")
        other = m.post(client, "/parcels", PARCEL | {"tracking_number": "JD0002"}, key="k-1")
        assert other.status_code == 409
        assert other["Content-Type"] == "application/problem+json"
        assert other.json()["code"] == "idempotency_key_reused"
        assert Parcel.objects.get().tracking_number == "JD0001"

    def test_keys_are_per_integration(self, client, m):
        other = market("Agora")
        assert m.post(client, "/users", SELLER, key="k-1").status_code == 201
        assert other.post(client, "/users", SELLER, key="k-1").status_code == 201
        assert User.objects.count() == 2

    def test_an_order_sent_again_without_a_key_is_not_placed_twice(self, client, m):
        send_order(client, m)
        again = m.post(client, "/orders", ORDER)
        assert again.status_code == 200 and again.json()["state"] == "paid"
        assert Order.objects.count() == 1 and Payment.objects.count() == 1

    def test_an_order_sent_again_with_other_lines_is_refused(self, client, m):
        send_order(client, m)
        lines = [{"title": "Blue kettle", "quantity": 2, "unit_price": "30.00"}]
        response = m.post(client, "/orders", ORDER | {"lines": lines, "payment": None})
        assert response.status_code == 409
        assert Order.objects.get().total == 50

    def test_a_parcel_sent_again_without_a_key_is_found_and_never_changed(self, client, m):
        send_order(client, m)
        assert m.post(client, "/parcels", PARCEL).status_code == 201
        again = m.post(client, "/parcels", PARCEL)
        assert again.status_code == 200 and again.json()["tracking_number"] == "JD0001"
        other = m.post(client, "/parcels", PARCEL | {"tracking_number": "JD0002"})
        assert other.status_code == 409 and other.json()["code"] == "action_refused"
        assert [p.tracking_number for p in Parcel.objects.all()] == ["JD0001"]
        assert OrderEvent.objects.filter(code="orders.parcel.shipped").count() == 1

    def test_a_user_sent_again_takes_the_new_email_but_not_another_role(self, client, m):
        m.post(client, "/users", BUYER)
        assert m.post(client, "/users", BUYER | {"email": "new@mail.test"}).status_code == 200
        assert User.objects.get().email == "new@mail.test"
        assert m.post(client, "/users", BUYER | {"role": "seller"}).status_code == 409
        assert User.objects.get().role == "buyer"

    def test_a_store_sent_again_is_renamed_not_duplicated(self, client, m):
        m.post(client, "/users", SELLER)
        m.post(client, "/stores", STORE)
        assert m.post(client, "/stores", STORE | {"name": "Kettles"}).status_code == 200
        assert [s.name for s in Store.objects.all()] == ["Kettles"]


class TestAKeySeesOnlyItsIntegration:
    def test_another_integrations_ids_are_not_found(self, client, m):
        send_order(client, m)
        other = market("Agora")
        other.post(client, "/users", BUYER)
        for path, body in [
            ("/stores", STORE),  # owner s-1 is Bazaar's
            ("/orders", ORDER | {"external_id": "o-9"}),  # store st-1 is Bazaar's
            ("/parcels", PARCEL),  # order o-1 is Bazaar's
        ]:
            response = other.post(client, path, body)
            assert response.status_code == 404, path
            assert response.json()["code"] == "not_found"
        assert Store.objects.count() == 1 and Order.objects.count() == 1
        assert Parcel.objects.count() == 0

    def test_a_read_key_cannot_write(self, client):
        reader = market("Agora", scope=Scope.READ)
        response = reader.post(client, "/users", BUYER)
        assert response.status_code == 403 and response.json()["code"] == "scope_insufficient"
        assert not User.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        (ORDER | {"currency": "euro"}, "currency"),
        (ORDER | {"lines": []}, "lines"),
        (ORDER | {"payment": {"amount": "-1", "method": "card", "provider_reference": "x"}}, ""),
    ],
)
def test_a_bad_order_names_the_field(client, m, body, field):
    response = m.post(client, "/orders", body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert any(field in error["field"] for error in response.json()["errors"])


def test_a_payment_that_is_not_the_total_is_refused(client, m):
    for path, body in [("/users", SELLER), ("/users", BUYER), ("/stores", STORE)]:
        m.post(client, path, body)
    pay = ORDER["payment"] | {"amount": "49.00"}
    response = m.post(client, "/orders", ORDER | {"payment": pay})
    assert response.status_code == 409
    assert not Order.objects.exists()


def test_moments_in_the_future_or_without_a_zone_are_refused(client, m):
    for path, body in [("/users", SELLER), ("/users", BUYER), ("/stores", STORE)]:
        m.post(client, path, body)
    naive = m.post(client, "/orders", ORDER | {"placed_at": "2026-01-01T10:00:00"})
    assert naive.status_code == 422
    future = m.post(client, "/orders", ORDER | {"placed_at": "2999-01-01T10:00:00Z"})
    assert future.status_code == 409
    assert not Order.objects.exists()


def test_an_unknown_refund_id_out_of_range_is_refused_not_a_crash(client, m):
    response = m.post(client, f"/refunds/{2**70}/settlement", {"outcome": "failed", "reason": "x"})
    assert response.status_code == 422


def test_text_with_nul_characters_is_a_bad_request_not_a_server_error(client):
    from integration.models import ApiKey, Integration, Scope

    _, key = ApiKey.issue(Integration.objects.create(name="Nul"), scope=Scope.WRITE)
    response = client.post(
        "/api/v1/stores",
        '{"external_id": "s-1", "name": "A\\u0000B", "owner": "u-1"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"  # ninja: cannot parse the body
