"""Every change to an order: one function per act, each atomic, locked, and on the timeline."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm

from accounts.models import User
from notifications.services import Note, notify_many
from policies.models import Policy

from .bulk import insert_rows, update_rows
from .errors import ActionRefused, StaleState
from .models import Order, OrderEvent, OrderLine, OrderState, Parcel, Payment, Store

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@dataclass(frozen=True)
class LineInput:
    title: str
    quantity: int
    unit_price: Decimal


def new_reference() -> str:
    return "PA-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))


def record_event(
    *,
    order: Order,
    actor: User | None,
    code: str,
    message: str,
    from_state: str = "",
    now: datetime,
    data: dict | None = None,
) -> OrderEvent:
    event = _new_event(
        order, actor=actor, code=code, message=message, from_state=from_state, now=now, data=data
    )
    event.save()
    return event


def _locked(order: Order) -> Order:
    """Re-read the order under a row lock; the caller must be inside transaction.atomic()."""
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("store", "policy")
        .get(pk=order.pk)
    )


def _transition(order: Order, method_name: str, actor: User | None) -> str:
    """Run a state transition after checking the current state and the actor's right.

    actor=None is the system (a timer or the payment provider): it needs no permission.
    Returns the state the order came from, for the timeline.
    """
    method = getattr(order, method_name)
    if not can_proceed(method, check_conditions=False):
        raise StaleState(f"This order is now “{order.get_state_display()}”.")
    if actor is not None and not has_transition_perm(method, actor):
        raise ActionRefused("You are not allowed to do this on this order.")
    from_state = order.state
    try:
        method()
    except TransitionNotAllowed as exc:
        raise ActionRefused("This order is not ready for that yet.") from exc
    return from_state


@transaction.atomic
def order_place(
    *,
    buyer: User,
    store: Store,
    lines: list[LineInput],
    currency: str,
    now: datetime | None = None,
) -> Order:
    now = now or timezone.now()
    if not lines:
        raise ActionRefused("An order needs at least one line.")
    if store.owner_id == buyer.pk:
        raise ActionRefused("You cannot buy from your own store.")
    total = sum((line.quantity * line.unit_price for line in lines), Decimal("0"))
    order = Order.objects.create(
        reference=new_reference(),
        buyer=buyer,
        store=store,
        policy=Policy.current(),
        currency=currency,
        total=total,
        placed_at=now,
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, title=ln.title, quantity=ln.quantity, unit_price=ln.unit_price)
        for ln in lines
    )
    record_event(
        order=order,
        actor=buyer,
        code="orders.order.placed",
        message=f"Order placed: {total} {currency}",
        now=now,
        data={"total": str(total), "currency": currency},
    )
    return order


@transaction.atomic
def order_pay(
    *, order: Order, amount: Decimal, method: str, now: datetime | None = None
) -> Payment:
    """Record the buyer's payment (as the payment provider reports it)."""
    now = now or timezone.now()
    order = _locked(order)
    if amount != order.total:
        raise ActionRefused(f"The payment must be exactly {order.total} {order.currency}.")
    from_state = _transition(order, "mark_paid", actor=None)
    order.paid_at = now
    order.save()
    payment = Payment.objects.create(
        order=order,
        amount=amount,
        currency=order.currency,
        method=method,
        provider_reference="pay_" + secrets.token_hex(8),
        paid_at=now,
    )
    record_event(
        order=order,
        actor=None,
        code="orders.order.paid",
        message=f"Payment received: {amount} {order.currency} ({payment.get_method_display()})",
        from_state=from_state,
        now=now,
    )
    return payment


@transaction.atomic
def order_cancel(*, order: Order, actor: User, now: datetime | None = None) -> Order:
    now = now or timezone.now()
    order = _locked(order)
    from_state = _transition(order, "cancel", actor)
    order.cancelled_at = now
    order.save()
    record_event(
        order=order,
        actor=actor,
        code="orders.order.cancelled",
        message="Order cancelled",
        from_state=from_state,
        now=now,
    )
    return order


@transaction.atomic
def parcel_add(
    *,
    order: Order,
    actor: User,
    carrier: str,
    tracking_number: str,
    delivery_days: int,
    ships_all: bool,
    now: datetime | None = None,
) -> Parcel:
    """The seller's delivery form: one parcel, and whether it completes the shipment."""
    now = now or timezone.now()
    order = _locked(order)
    if actor.pk != order.store.owner_id:
        raise ActionRefused("Only the seller of this order can ship it.")
    if order.state != OrderState.PAID:
        raise StaleState(f"This order is now “{order.get_state_display()}”: it cannot be shipped.")
    if not 1 <= delivery_days <= order.policy.max_delivery_days:
        raise ActionRefused(
            f"The delivery time limit must be between 1 and {order.policy.max_delivery_days} days."
        )
    try:
        with transaction.atomic():
            parcel = Parcel.objects.create(
                order=order, carrier=carrier, tracking_number=tracking_number, shipped_at=now
            )
    except IntegrityError as exc:
        raise ActionRefused("This tracking number is already used for another shipment.") from exc
    order.delivery_days = delivery_days
    record_event(
        order=order,
        actor=actor,
        code="orders.parcel.shipped",
        message=f"Parcel shipped with {parcel.get_carrier_display()}, tracking {tracking_number}",
        from_state=order.state,
        now=now,
        data={"parcel": parcel.pk, "delivery_days": delivery_days},
    )
    if ships_all:
        from_state = _transition(order, "ship_all", actor)
        order.all_shipped_at = now
        order.promised_delivery_at = order.promised_delivery_for(now)
        record_event(
            order=order,
            actor=actor,
            code="orders.order.shipped",
            message=(
                f"All goods shipped; delivery promised within {delivery_days} days, "
                f"by {order.promised_delivery_at:%d %b %Y}"
            ),
            from_state=from_state,
            now=now,
        )
    order.save()
    return parcel


def _note(order: Order, recipient_id: int, key: str, subject: str, body: str, now) -> Note:
    portal = "buyer" if recipient_id == order.buyer_id else "seller"
    url = reverse(f"orders:{portal}_order_detail", kwargs={"reference": order.reference})
    subject = f"Order {order.reference}: {subject}"
    return Note(recipient_id, f"order:{order.pk}:{key}", subject, body, url, now)


def _new_event(order: Order, *, actor, code, message, from_state, now, data=None) -> OrderEvent:
    return OrderEvent(
        order=order,
        actor=actor,
        code=code,
        message=message,
        from_state=from_state,
        to_state=order.state,
        data=data or {},
        created_at=now,
    )


Due = tuple[Order, datetime]  # a locked order, and when its rule fell due


@transaction.atomic
def order_confirm_receipt(
    *, order: Order, actor: User | None, now: datetime | None = None, ran_at=None
) -> Order:
    """The buyer confirms receipt, or the system does when the delivery time limit runs out
    (actor=None). Either way the protection period starts now."""
    order = _locked(order)
    confirm_receipts([(order, now or timezone.now())], actor=actor, ran_at=ran_at)
    return order


def confirm_receipts(dues: list[Due], *, actor: User | None, ran_at=None) -> None:
    """Confirm receipt of locked orders (the rule engine's batch form; actor=None is the
    clock): one write per table for all of them."""
    events, notes = [], []
    for order, now in dues:
        from_state = _transition(order, "confirm_receipt", actor)
        order.received_at = now
        order.receipt_confirmed_automatically = actor is None
        order.protection_ends_at = order.protection_ends_for(now)
        who = "automatically: the delivery time limit ran out" if actor is None else "by the buyer"
        until = f"{order.protection_ends_at:%d %b %Y %H:%M} UTC"
        events.append(
            _new_event(
                order,
                actor=actor,
                code="orders.order.received",
                message=f"Receipt confirmed {who}; protection open until {until}",
                from_state=from_state,
                now=now,
                data={"ran_at": (ran_at or now).isoformat()} if actor is None else None,
            )
        )
        if actor is None:
            notes.append(
                _note(
                    order,
                    order.buyer_id,
                    "received",
                    "receipt confirmed automatically",
                    f"The seller's delivery time limit ran out, so receipt was confirmed for "
                    f"you. If something is wrong with the order, you can open a dispute until "
                    f"{until}.",
                    now,
                )
            )
    fields = ["state", "received_at", "receipt_confirmed_automatically", "protection_ends_at"]
    update_rows([order for order, _ in dues], fields)
    insert_rows(events)
    if notes:
        notify_many(notes)


@transaction.atomic
def order_complete(*, order: Order, now: datetime | None = None, ran_at=None) -> Order:
    """The protection period ended with no dispute open: the seller's payout is released."""
    now = now or timezone.now()
    order = _locked(order)
    if order.protection_ends_at is None or now < order.protection_ends_at:
        raise ActionRefused("The protection period of this order has not ended yet.")
    # A dispute holds the money until it ends (policy.md, "payout").
    if any(dispute.holds_payout for dispute in order.disputes.all()):
        raise ActionRefused("A dispute is open on this order: the payout waits for it to end.")
    complete_orders([(order, now)], ran_at=ran_at)
    return order


def complete_orders(dues: list[Due], *, ran_at=None) -> None:
    """Complete locked orders whose protection ended with no dispute holding the payout (the
    caller has checked that): release the payout, one write per table for all of them."""
    events, notes = [], []
    for order, now in dues:
        from_state = _transition(order, "complete", actor=None)
        order.completed_at = now
        events.append(
            _new_event(
                order,
                actor=None,
                code="orders.order.completed",
                message="Protection period ended; the seller's payout is released",
                from_state=from_state,
                now=now,
                data={"ran_at": (ran_at or now).isoformat()},
            )
        )
        notes.append(
            _note(
                order,
                order.store.owner_id,
                "completed",
                "payout released",
                f"Buyer protection ended with no dispute open: {order.total} {order.currency} "
                "is released to you.",
                now,
            )
        )
    update_rows([order for order, _ in dues], ["state", "completed_at"])
    insert_rows(events)
    notify_many(notes)


def order_actions(order: Order, user: User) -> set[str]:
    """What `user` may do to `order` now, for pages to offer (the services decide again on POST)."""
    actions = {t.name for t in order.get_available_user_state_transitions(user)}
    if order.state == OrderState.PAID and user.pk == order.store.owner_id:
        actions.add("add_parcel")
    return actions
