"""Every change to an order: one function per act, each atomic, locked, and on the timeline."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts.models import User
from core.bulk import update_rows
from core.errors import ActionRefused, StaleState
from core.fsm import locked, transition
from core.moments import money
from core.outbox import Phrase
from core.references import new_reference
from core.timeline import Recorder
from policies.models import Policy

from . import events
from .models import Order, OrderEvent, OrderLine, OrderState, Parcel, Payment, Store

FAILED_REFUND = "failed"  # disputes.models.RefundStatus.FAILED (that app sits above this one)


@dataclass(frozen=True)
class LineInput:
    title: str
    quantity: int
    unit_price: Decimal


def _recorded(
    recorder: Recorder,
    order: Order,
    code: str,
    *,
    actor: User | None,
    at: datetime,
    from_state: str = "",
    data: Mapping[str, Any] | None = None,
) -> None:
    """Put an act on the order's timeline (and tell whom its catalogue entry says)."""
    event = OrderEvent.entry(
        code,
        subject_id=order.pk,
        actor_id=None if actor is None else actor.pk,
        from_state=from_state,
        to_state=order.state,
        data=dict(data or {}),
        created_at=at,
    )
    title = Phrase(gettext_noop("Order %(reference)s"), {"reference": order.reference})
    recorder.act(event, title=title, audience=events.audience(order))


def _record(order: Order, code: str, **kwargs: Any) -> None:
    recorder = Recorder()
    _recorded(recorder, order, code, **kwargs)
    recorder.write()


def _locked(order: Order) -> Order:
    return locked(order, "store", "policy")


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
        raise ActionRefused(_("An order needs at least one line."))
    if store.owner_id == buyer.pk:
        raise ActionRefused(_("You cannot buy from your own store."))
    total = sum((line.quantity * line.unit_price for line in lines), Decimal("0"))
    order = Order.objects.create(
        reference=new_reference("PA"),
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
    data = {"total": total, "currency": currency}
    _record(order, events.PLACED.code, actor=buyer, at=now, data=data)
    return order


@transaction.atomic
def order_pay(
    *,
    order: Order,
    amount: Decimal,
    method: str,
    now: datetime | None = None,
    provider_reference: str = "",
) -> Payment:
    """Record the buyer's payment (as the payment provider reports it, with its reference when
    a marketplace sends it in)."""
    now = now or timezone.now()
    order = _locked(order)
    if amount != order.total:
        exactly = money(order.total, order.currency)
        raise ActionRefused(_("The payment must be exactly %(amount)s.") % {"amount": exactly})
    from_state = transition(order, "mark_paid", None)
    order.paid_at = now
    order.save()
    payment = Payment.objects.create(
        order=order,
        amount=amount,
        currency=order.currency,
        method=method,
        provider_reference=provider_reference or new_reference("pay", 12).lower(),
        paid_at=now,
    )
    data = {"amount": amount, "currency": order.currency, "method": method}
    _record(order, events.PAID.code, actor=None, at=now, from_state=from_state, data=data)
    return payment


@transaction.atomic
def order_cancel(*, order: Order, actor: User, now: datetime | None = None) -> Order:
    now = now or timezone.now()
    order = _locked(order)
    from_state = transition(order, "cancel", actor)
    order.cancelled_at = now
    order.save()
    _record(order, events.CANCELLED.code, actor=actor, at=now, from_state=from_state)
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
    _check_shippable(order, actor, delivery_days)
    try:
        with transaction.atomic():
            parcel = Parcel.objects.create(
                order=order, carrier=carrier, tracking_number=tracking_number, shipped_at=now
            )
    except IntegrityError as exc:
        raise ActionRefused(
            _("This tracking number is already used for another shipment.")
        ) from exc
    order.delivery_days = delivery_days
    recorder = Recorder()
    data = {"parcel": parcel.pk, "carrier": carrier, "tracking_number": tracking_number}
    _recorded(recorder, order, events.PARCEL_SHIPPED.code, actor=actor, at=now, data=data)
    if ships_all:
        _ship_all(recorder, order, actor, now)
    order.save()
    recorder.write()
    return parcel


def _ship_all(recorder: Recorder, order: Order, actor: User, now: datetime) -> None:
    from_state = transition(order, "ship_all", actor)
    order.all_shipped_at = now
    order.promised_delivery_at = order.promised_delivery_for(now)
    data = {
        "delivery_days": order.delivery_days,
        "promised_delivery_at": order.promised_delivery_at,
    }
    _recorded(
        recorder, order, events.SHIPPED.code, actor=actor, at=now, from_state=from_state, data=data
    )


def _check_shippable(order: Order, actor: User, delivery_days: int) -> None:
    if actor.pk != order.store.owner_id:
        raise ActionRefused(_("Only the seller of this order can ship it."))
    if order.state != OrderState.PAID:
        state = order.get_state_display()
        raise StaleState(
            _("This order is now “%(state)s”: it cannot be shipped.") % {"state": state}
        )
    most = order.policy.max_delivery_days
    if not 1 <= delivery_days <= most:
        raise ActionRefused(
            ngettext(
                "The delivery time limit must be between 1 and %(most)d day.",
                "The delivery time limit must be between 1 and %(most)d days.",
                most,
            )
            % {"most": most}
        )


Due = tuple[Order, datetime]  # a locked order, and when its rule fell due


def _clock_data(actor: User | None, now: datetime, ran_at: datetime | None) -> dict[str, Any]:
    """The clock's acts keep when the engine really ran (they are dated when the rule fell due)."""
    return {"ran_at": ran_at or now} if actor is None else {}


@transaction.atomic
def order_confirm_receipt(
    *,
    order: Order,
    actor: User | None,
    now: datetime | None = None,
    ran_at: datetime | None = None,
) -> Order:
    """The buyer confirms receipt, or the system does when the delivery time limit runs out
    (actor=None). Either way the protection period starts now."""
    order = _locked(order)
    order_confirm_receipt_many([(order, now or timezone.now())], actor=actor, ran_at=ran_at)
    return order


def order_confirm_receipt_many(
    dues: list[Due], *, actor: User | None, ran_at: datetime | None = None
) -> None:
    """Confirm receipt of locked orders (the rule engine's batch form; actor=None is the
    clock): one write per table for all of them."""
    recorder = Recorder()
    for order, now in dues:
        from_state = transition(order, "confirm_receipt", actor)
        order.received_at = now
        order.receipt_confirmed_automatically = actor is None
        order.protection_ends_at = order.protection_ends_for(now)
        data = {"automatic": actor is None, "protection_ends_at": order.protection_ends_at}
        _recorded(
            recorder,
            order,
            events.RECEIVED.code,
            actor=actor,
            at=now,
            from_state=from_state,
            data={**data, **_clock_data(actor, now, ran_at)},
        )
    fields = ["state", "received_at", "receipt_confirmed_automatically", "protection_ends_at"]
    update_rows([order for order, _ in dues], fields)
    recorder.write()


@transaction.atomic
def order_complete(
    *, order: Order, now: datetime | None = None, ran_at: datetime | None = None
) -> Order:
    """The protection period ended with no dispute open: the seller's payout is released."""
    now = now or timezone.now()
    order = _locked(order)
    if order.protection_ends_at is None or now < order.protection_ends_at:
        raise ActionRefused(_("The protection period of this order has not ended yet."))
    # A dispute holds the money until it ends (policy.md, "payout"); read through the reverse
    # relation, as the disputes app sits above this one.
    if any(dispute.holds_payout for dispute in order.disputes.all()):
        raise ActionRefused(_("A dispute is open on this order: the payout waits for it to end."))
    order_complete_many([(order, now)], ran_at=ran_at)
    return order


def _paid_and_refunded(orders: list[Order]) -> dict[int, tuple[Decimal, Decimal]]:
    """What each order's buyer paid, and what was refunded of it (a failed refund was not):
    one statement for all of them. Refunds are the disputes app's, read through the reverse
    relation, as that app sits above this one."""
    refunded = Sum("refunds__amount", filter=~Q(refunds__status=FAILED_REFUND))
    rows = Order.objects.filter(pk__in=[order.pk for order in orders]).annotate(
        paid=Coalesce("payment__amount", Decimal(0)), refunded=Coalesce(refunded, Decimal(0))
    )
    return {
        pk: (paid, refunded) for pk, paid, refunded in rows.values_list("pk", "paid", "refunded")
    }


def order_complete_many(dues: list[Due], *, ran_at: datetime | None = None) -> None:
    """Complete locked orders whose protection ended with no dispute holding the payout (the
    caller has checked that): release the payout, what was paid minus what was refunded, one
    write per table for all of them."""
    recorder = Recorder()
    amounts = _paid_and_refunded([order for order, _ in dues])
    for order, now in dues:
        from_state = transition(order, "complete", None)
        order.completed_at = now
        paid, refunded = amounts[order.pk]
        order.payout = max(paid - refunded, Decimal(0))
        data = {
            "released": order.payout,
            "paid": paid,
            "refunded": refunded,
            "currency": order.currency,
            "ran_at": ran_at or now,
        }
        _recorded(
            recorder,
            order,
            events.COMPLETED.code,
            actor=None,
            at=now,
            from_state=from_state,
            data=data,
        )
    update_rows([order for order, _ in dues], ["state", "completed_at", "payout"])
    recorder.write()


def order_actions(order: Order, user: User) -> set[str]:
    """What `user` may do to `order` now, for pages to offer (the services decide again on POST)."""
    actions = {t.name for t in order.get_available_user_state_transitions(user)}
    if order.state == OrderState.PAID and user.pk == order.store.owner_id:
        actions.add("add_parcel")
    return actions


def order_protect_again_many(dues: list[Due], *, actor: User | None) -> list[datetime]:
    """Goods reached the buyer again (a dispute's replacement, at each due's moment): the
    buyer is protected for the policy's period from then, so a new dispute about them can be
    opened. A shipped order is received then (actor: the buyer who says so, None: the clock);
    a received one has its protection end moved later, never earlier. Returns each order's
    protection end, in the order given."""
    ids = sorted({order.pk for order, _ in dues})
    current = Order.objects.select_for_update(of=("self",)).select_related("policy").in_bulk(ids)
    shipped = [(current[o.pk], at) for o, at in dues if current[o.pk].state == OrderState.SHIPPED]
    order_confirm_receipt_many(shipped, actor=actor)
    moved = []
    for order, at in dues:
        fresh = current[order.pk]
        protected = fresh.protection_ends_for(at)
        if fresh.protection_ends_at is None or fresh.protection_ends_at < protected:
            fresh.protection_ends_at = protected
            moved.append(fresh)
    update_rows(moved, ["protection_ends_at"])
    return [current[order.pk].protection_ends_at or at for order, at in dues]


@transaction.atomic
def store_set_return_terms(
    *, store: Store, actor: User, return_address: str, return_postage_payer: str
) -> Store:
    """The seller sets the store's return address and who pays return postage; returns agreed
    from now on show them (and those under way show the new ones)."""
    store = locked(store, "owner")
    if actor.pk != store.owner_id:
        raise ActionRefused(_("Only the store's owner can change its return terms."))
    store.return_address = return_address.strip()
    store.return_postage_payer = return_postage_payer
    store.save(update_fields=["return_address", "return_postage_payer"])
    return store
