"""In: the marketplace's stores, users, orders with payments, and parcels. Every write takes
an `Idempotency-Key` and carries the marketplace's own ids, so a retry never creates twice."""

import json
from decimal import Decimal
from typing import Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from accounts.models import User
from orders.models import Carrier, Order, Parcel, PaymentMethod, Store
from orders.services import LineInput

from ..services import intake
from ..services.idempotency import Answer
from .auth import caller
from .idempotent import IDEMPOTENCY_KEY, idempotent
from .types import PaidAmount, Price, UtcMoment

router = Router(tags=["in"])
# Printable ASCII only: Python's \s and the schema's (ECMAScript) \s disagree beyond it.
ExternalId = Field(min_length=1, max_length=120, pattern=r"^[!-~]+$")


class UserIn(Schema):
    external_id: str = ExternalId
    role: Literal["buyer", "seller"]
    email: str = Field(max_length=254, pattern=r"^[!-?A-~]+@[!-?A-~]+$")  # ASCII, one @
    name: str = Field("", max_length=150)


class UserOut(UserIn):
    pass


class StoreIn(Schema):
    external_id: str = ExternalId
    name: str = Field(min_length=1, max_length=120)
    owner: str = Field(description="The seller's external id (send the user first).")


class StoreOut(StoreIn):
    pass


class LineIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=1_000)
    unit_price: Price


class PaymentIn(Schema):
    amount: PaidAmount
    method: PaymentMethod
    provider_reference: str = Field(min_length=1, max_length=64)
    paid_at: UtcMoment | None = None


class OrderIn(Schema):
    external_id: str = ExternalId
    buyer: str = Field(description="The buyer's external id.")
    store: str = Field(description="The store's external id.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    placed_at: UtcMoment | None = None
    delivery_days: int | None = Field(None, ge=1, le=365)
    payment: PaymentIn | None = None


class OrderOut(Schema):
    external_id: str
    reference: str
    state: str
    total: Decimal
    currency: str


class ParcelIn(Schema):
    external_id: str = ExternalId
    order: str = Field(description="The order's external id.")
    carrier: Carrier
    tracking_number: str = Field(min_length=1, max_length=40)
    shipped_at: UtcMoment | None = None
    ships_all: bool = True
    delivery_days: int | None = Field(None, ge=1, le=365)


class ParcelOut(ParcelIn):
    pass


def _status(created: bool) -> int:
    return 201 if created else 200


@router.post("/users", response={200: UserOut, 201: UserOut}, summary="Send a buyer or seller")
def put_user(
    request: HttpRequest, payload: UserIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> JsonResponse:
    def act() -> Answer:
        person = intake.Person(payload.external_id, payload.role, payload.email, payload.name)
        user, created = intake.user_upsert(caller(request).integration, person)
        return _status(created), _user(payload, user)

    return idempotent(request, idempotency_key, payload, act)


def _user(payload: UserIn, user: User) -> dict[str, str]:
    out = UserOut(
        external_id=payload.external_id, role=payload.role, email=user.email, name=user.first_name
    )
    return out.model_dump(mode="json")


@router.post("/stores", response={200: StoreOut, 201: StoreOut}, summary="Send a store")
def put_store(
    request: HttpRequest, payload: StoreIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> JsonResponse:
    def act() -> Answer:
        store, created = intake.store_upsert(
            caller(request).integration,
            external_id=payload.external_id,
            name=payload.name,
            owner=payload.owner,
        )
        return _status(created), _store(payload, store)

    return idempotent(request, idempotency_key, payload, act)


def _store(payload: StoreIn, store: Store) -> dict[str, str]:
    return StoreOut(
        external_id=payload.external_id, name=store.name, owner=payload.owner
    ).model_dump(mode="json")


@router.post("/orders", response={200: OrderOut, 201: OrderOut}, summary="Send an order")
def put_order(
    request: HttpRequest, payload: OrderIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> JsonResponse:
    def act() -> Answer:
        order, created = intake.order_receive(caller(request).integration, _order_data(payload))
        return _status(created), _order(payload.external_id, order)

    return idempotent(request, idempotency_key, payload, act)


def _order_data(payload: OrderIn) -> intake.OrderData:
    pay = payload.payment
    lines = [LineInput(ln.title, ln.quantity, ln.unit_price) for ln in payload.lines]
    return intake.OrderData(
        external_id=payload.external_id,
        buyer=payload.buyer,
        store=payload.store,
        currency=payload.currency,
        lines=lines,
        placed_at=payload.placed_at,
        delivery_days=payload.delivery_days,
        payment=None
        if pay is None
        else intake.PaymentData(pay.amount, pay.method, pay.provider_reference, pay.paid_at),
    )


def _order(external_id: str, order: Order) -> dict[str, str]:
    return OrderOut(
        external_id=external_id,
        reference=order.reference,
        state=order.state,
        total=order.total,
        currency=order.currency,
    ).model_dump(mode="json")


@router.post("/parcels", response={200: ParcelOut, 201: ParcelOut}, summary="Send a parcel")
def put_parcel(
    request: HttpRequest, payload: ParcelIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> JsonResponse:
    def act() -> Answer:
        data = intake.ParcelData(**payload.model_dump())
        parcel, created = intake.parcel_receive(caller(request).integration, data)
        return _status(created), _parcel(payload, parcel)

    return idempotent(request, idempotency_key, payload, act)


def _parcel(payload: ParcelIn, parcel: Parcel) -> dict[str, str]:
    shipped = {"shipped_at": parcel.shipped_at}
    out = ParcelOut(**(payload.model_dump() | shipped)).model_dump()
    # JSON as every other answer writes it: moments in UTC to the millisecond ("…Z").
    body: dict[str, str] = json.loads(DjangoJSONEncoder().encode(out))
    return body
