"""What a marketplace sends in: its stores, users, orders with their payment, and parcels.

Each object carries the marketplace's own id: sent again, the call finds what the first one
made (a store or user takes the new name or e-mail; an order or parcel must say the same as
before, or the call is refused), so a retry never creates twice. Each act locks its
integration first, so two calls about one external id never race."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from core.errors import ActionRefused, StaleState
from orders import services as orders
from orders.models import Order, OrderState, Parcel, Store

from ..models import Integration, RefKind
from .refs import attach, object_id, required_id


@dataclass(frozen=True)
class Person:
    external_id: str
    role: str  # accounts.Role: buyer or seller
    email: str
    name: str


@dataclass(frozen=True)
class PaymentData:
    amount: Decimal
    method: str
    provider_reference: str
    paid_at: datetime | None = None


@dataclass(frozen=True)
class OrderData:
    external_id: str
    buyer: str  # the buyer's external id
    store: str  # the store's external id
    currency: str
    lines: list[orders.LineInput]
    placed_at: datetime | None = None
    delivery_days: int | None = None
    payment: PaymentData | None = None


@dataclass(frozen=True)
class ParcelData:
    external_id: str
    order: str  # the order's external id
    carrier: str
    tracking_number: str
    shipped_at: datetime | None = None
    ships_all: bool = True
    delivery_days: int | None = None  # else the order's


def locked_integration(integration: Integration) -> Integration:
    return Integration.objects.select_for_update().get(pk=integration.pk)


@transaction.atomic
def user_upsert(integration: Integration, person: Person) -> tuple[User, bool]:
    """A buyer or seller of the marketplace; they sign in through login links only (their
    password is unusable). Returns the user and whether it was created."""
    integration = locked_integration(integration)
    pk = object_id(integration, RefKind.USER, person.external_id)
    if pk is None:
        user = User(
            username=f"{integration.pk}.{person.external_id}"[:150],
            email=person.email,
            first_name=person.name[:150],
            role=person.role,
        )
        user.set_unusable_password()
        user.save()
        attach(integration, RefKind.USER, person.external_id, user.pk)
        return user, True
    user = User.objects.select_for_update().get(pk=pk)
    if user.role != person.role:
        raise ActionRefused(
            f"This user is a {user.get_role_display().lower()}: that cannot change."
        )
    user.email, user.first_name = person.email, person.name[:150]
    user.save(update_fields=["email", "first_name"])
    return user, False


@transaction.atomic
def store_upsert(
    integration: Integration, *, external_id: str, name: str, owner: str
) -> tuple[Store, bool]:
    """A seller's store (the owner is sent in first, as a user). Returns it and whether it was
    created; sent again, it takes the new name, but its owner never changes."""
    integration = locked_integration(integration)
    seller = User.objects.get(pk=required_id(integration, RefKind.USER, owner))
    if seller.role != Role.SELLER:
        raise ActionRefused("A store's owner must be a seller.")
    pk = object_id(integration, RefKind.STORE, external_id)
    if pk is None:
        if Store.objects.filter(owner=seller).exists():
            raise ActionRefused("This seller already has a store.")
        store = Store.objects.create(name=name, owner=seller)
        attach(integration, RefKind.STORE, external_id, store.pk)
        return store, True
    store = Store.objects.select_for_update().get(pk=pk)
    if store.owner_id != seller.pk:
        raise ActionRefused("A store's owner cannot change.")
    store.name = name
    store.save(update_fields=["name"])
    return store, False


@transaction.atomic
def order_receive(integration: Integration, data: OrderData) -> tuple[Order, bool]:
    """An order placed on the marketplace, with its payment when sent. Sent again, it must say
    the same (a payment may come later); returns the order and whether it was created."""
    now = timezone.now()
    _check_moments(data, now)
    integration = locked_integration(integration)
    buyer = User.objects.get(pk=required_id(integration, RefKind.USER, data.buyer))
    store = Store.objects.get(pk=required_id(integration, RefKind.STORE, data.store))
    pk = object_id(integration, RefKind.ORDER, data.external_id)
    created = pk is None
    if pk is None:
        order = orders.order_place(
            buyer=buyer,
            store=store,
            lines=data.lines,
            currency=data.currency,
            now=data.placed_at or now,
        )
        if data.delivery_days is not None:
            Order.objects.filter(pk=order.pk).update(delivery_days=data.delivery_days)
        attach(integration, RefKind.ORDER, data.external_id, order.pk)
    else:
        order = Order.objects.get(pk=pk)
        _check_same_order(order, data, buyer, store)
    if data.payment is not None and order.state == OrderState.PLACED:
        _pay(order, data.payment)
    order.refresh_from_db()
    return order, created


def _check_moments(data: OrderData, now: datetime) -> None:
    placed = data.placed_at or now
    paid = None if data.payment is None else data.payment.paid_at
    if placed > now or (paid is not None and not placed <= paid <= now):
        raise ActionRefused("An order is placed, then paid, and neither in the future.")


def _check_same_order(order: Order, data: OrderData, buyer: User, store: Store) -> None:
    total = sum((line.quantity * line.unit_price for line in data.lines), Decimal(0))
    if (order.buyer_id, order.store_id, order.currency, order.total) != (
        buyer.pk,
        store.pk,
        data.currency,
        total,
    ):
        raise StaleState(f"Order “{data.external_id}” was sent before with other details.")


def _pay(order: Order, payment: PaymentData) -> None:
    orders.order_pay(
        order=order,
        amount=payment.amount,
        method=payment.method,
        now=payment.paid_at or timezone.now(),
        provider_reference=payment.provider_reference,
    )


@transaction.atomic
def parcel_receive(
    integration: Integration, data: ParcelData, *, now: datetime | None = None
) -> tuple[Parcel, bool]:
    """A parcel the seller shipped (the marketplace reports it for them). Sent again, it must
    name the same tracking; returns the parcel and whether it was created."""
    now = now or timezone.now()
    integration = locked_integration(integration)
    order = Order.objects.select_related("store").get(
        pk=required_id(integration, RefKind.ORDER, data.order)
    )
    pk = object_id(integration, RefKind.PARCEL, data.external_id)
    if pk is not None:
        parcel = Parcel.objects.get(pk=pk)
        if (parcel.order_id, parcel.carrier, parcel.tracking_number) != (
            order.pk,
            data.carrier,
            data.tracking_number,
        ):
            raise StaleState(f"Parcel “{data.external_id}” was sent before with other details.")
        return parcel, False
    shipped_at, days = data.shipped_at or now, data.delivery_days or order.delivery_days
    if days is None:
        raise ActionRefused("Send the order's delivery days, with the order or the parcel.")
    if shipped_at > now or (order.paid_at is not None and shipped_at < order.paid_at):
        raise ActionRefused("A parcel is shipped after the payment and not in the future.")
    parcel = orders.parcel_add(
        order=order,
        actor=order.store.owner,
        carrier=data.carrier,
        tracking_number=data.tracking_number,
        delivery_days=days,
        ships_all=data.ships_all,
        now=shipped_at,
    )
    attach(integration, RefKind.PARCEL, data.external_id, parcel.pk)
    return parcel, True
