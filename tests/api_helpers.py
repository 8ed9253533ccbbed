"""Shared by the API tests: a marketplace with a write key, and calls made as it."""

import json
from dataclasses import dataclass

from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope


@dataclass
class Market:
    integration: Integration
    key: str

    def headers(self, idempotency_key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.key}"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def post(self, client, path, body, *, key: str | None = None):
        return client.post(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=self.headers(key),
        )

    def owns(self, kind: RefKind, obj, external_id: str) -> None:
        ExternalRef.objects.create(
            integration=self.integration, kind=kind, external_id=external_id, object_id=obj.pk
        )


def market(name: str, scope: str = Scope.WRITE) -> Market:
    integration = Integration.objects.create(name=name)
    _, key = ApiKey.issue(integration, scope=scope)
    return Market(integration, key)


SELLER = {"external_id": "s-1", "role": "seller", "email": "sam@shop.test", "name": "Sam"}
BUYER = {"external_id": "b-1", "role": "buyer", "email": "bo@mail.test", "name": "Bo"}
STORE = {"external_id": "st-1", "name": "Sam's kettles", "owner": "s-1"}
ORDER = {
    "external_id": "o-1",
    "buyer": "b-1",
    "store": "st-1",
    "currency": "EUR",
    "lines": [
        {"title": "Blue kettle", "quantity": 1, "unit_price": "30.00"},
        {"title": "Mug", "quantity": 2, "unit_price": "10.00"},
    ],
    "delivery_days": 7,
    "payment": {"amount": "50.00", "method": "card", "provider_reference": "ch_123"},
}
PARCEL = {"external_id": "p-1", "order": "o-1", "carrier": "dhl", "tracking_number": "JD0001"}


def send_order(client, m: Market) -> None:
    for path, body in [("/users", SELLER), ("/users", BUYER), ("/stores", STORE)]:
        assert m.post(client, path, body).status_code == 201
    assert m.post(client, "/orders", ORDER).status_code == 201
