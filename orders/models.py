from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from django_fsm import FSMField, transition

from core.fsm import StateMachine
from core.money import money_field
from core.timeline import TimelineEvent
from policies.models import Policy

if TYPE_CHECKING:
    from django_fsm import Transition

    from accounts.models import User


class PostagePayer(models.TextChoices):
    SELLER = "seller", _("The seller pays the return postage")
    BUYER = "buyer", _("The buyer pays the return postage")


class Store(models.Model):
    name = models.CharField(max_length=120)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="store"
    )
    # Shown to a buyer who must send an item back, with the return tracking form.
    return_address = models.TextField(blank=True, max_length=500)
    return_postage_payer = models.CharField(
        max_length=10, choices=PostagePayer.choices, default=PostagePayer.SELLER
    )

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    PLACED = "placed", pgettext_lazy("order state", "Awaiting payment")
    PAID = "paid", pgettext_lazy("order state", "Paid, to be shipped")
    SHIPPED = "shipped", pgettext_lazy("order state", "Shipped")
    RECEIVED = "received", pgettext_lazy("order state", "Received")
    COMPLETED = "completed", pgettext_lazy("order state", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order state", "Cancelled")


# Permission checks for the transitions. django-fsm's types say a check takes any Model, so each
# `permission=` below carries an ignore: ours take the model they guard.
def _is_buyer(order: "Order", user: "User | None") -> bool:
    return user is not None and user.pk == order.buyer_id


def _is_seller(order: "Order", user: "User | None") -> bool:
    return user is not None and user.pk == order.store.owner_id


def _is_party(order: "Order", user: "User | None") -> bool:
    return _is_buyer(order, user) or _is_seller(order, user)


class Order(StateMachine, models.Model):
    """A marketplace order as Parley protects it.

    Dates that timers act on (promised delivery, end of protection) are stored and indexed:
    the rule engine finds overdue orders by these columns, never by recomputing.
    """

    reference = models.CharField(max_length=20, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="orders")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3)
    total = money_field(validators=[MinValueValidator(Decimal("0.01"))])
    state = FSMField(
        choices=OrderState.choices, default=OrderState.PLACED, protected=True, db_index=True
    )

    placed_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    delivery_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The seller's delivery time limit, in days.")
    )
    all_shipped_at = models.DateTimeField(null=True, blank=True)
    promised_delivery_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    receipt_confirmed_automatically = models.BooleanField(default=False)
    protection_ends_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Released to the seller when the order completed: what was paid minus what was refunded.
    payout = money_field(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-placed_at"], name="order_buyer_recent"),
            models.Index(fields=["store", "state", "paid_at"], name="order_store_state_paid"),
            models.Index(fields=["store", "all_shipped_at"], name="order_store_shipped"),
            # The rule engine's two clocks on orders: only the orders still waiting, in due
            # order, so a run reads as many rows as it acts on however many orders are done.
            models.Index(
                fields=["promised_delivery_at", "id"],
                condition=models.Q(state="shipped"),
                name="order_receipt_due",
            ),
            models.Index(
                fields=["protection_ends_at", "id"],
                condition=models.Q(state="received"),
                name="order_protection_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gt=0), name="order_total_positive"),
        ]

    def __str__(self) -> str:
        return self.reference

    if TYPE_CHECKING:
        # Added for the `state` field by django-fsm when the class is built.
        def get_available_state_transitions(self) -> Iterator[Transition]: ...
        def get_available_user_state_transitions(self, user: User) -> Iterator[Transition]: ...

    # --- Transitions: they only move the state; services do the rest. ---------------------

    @transition(field=state, source=OrderState.PLACED, target=OrderState.PAID)
    def mark_paid(self) -> None:
        pass

    # Only before payment: cancelling a paid order is a refund, which goes through the ledger.
    @transition(
        field=state,
        source=OrderState.PLACED,
        target=OrderState.CANCELLED,
        permission=_is_party,  # type: ignore[arg-type]
    )
    def cancel(self) -> None:
        pass

    @transition(
        field=state,
        source=OrderState.PAID,
        target=OrderState.SHIPPED,
        permission=_is_seller,  # type: ignore[arg-type]
        # django-fsm types a condition's argument as Model; it is this Order.
        conditions=[lambda order: order.delivery_days is not None],  # type: ignore[attr-defined]
    )
    def ship_all(self) -> None:
        pass

    @transition(
        field=state,
        source=OrderState.SHIPPED,
        target=OrderState.RECEIVED,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def confirm_receipt(self) -> None:
        pass

    @transition(field=state, source=OrderState.RECEIVED, target=OrderState.COMPLETED)
    def complete(self) -> None:
        pass

    # --- Derived facts -------------------------------------------------------------------

    def promised_delivery_for(self, shipped_at: datetime) -> datetime:
        if self.delivery_days is None:
            raise ValueError(f"Order {self.reference} has no delivery time limit yet.")
        return shipped_at + timedelta(days=self.delivery_days)

    def protection_ends_for(self, received_at: datetime) -> datetime:
        return received_at + self.policy.protection_period

    def is_protection_open(self, now: datetime) -> bool:
        return self.protection_ends_at is not None and now < self.protection_ends_at

    @property
    def items_label(self) -> str:
        """ "Blue kettle ×1, Mug ×2" (lists prefetch `lines`: see selectors)."""
        return items_label((line, line.quantity) for line in self.lines.all())


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    title = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    unit_price = money_field(validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="line_quantity_min"),
            models.CheckConstraint(condition=models.Q(unit_price__gt=0), name="line_price_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.title}"

    @property
    def subtotal(self) -> Decimal:
        return self.quantity * self.unit_price


# How many items a list or header names before "and N more": rows stay one or two lines long.
ITEMS_NAMED = 3


def items_label(items: Iterable[tuple[OrderLine, int]]) -> str:
    """The items of an order or a claim as lists and case headers say them: "Blue kettle ×1,
    Mug ×2", the first few named and the rest counted."""
    named = [f"{line.title} ×{quantity}" for line, quantity in items]
    rest = len(named) - ITEMS_NAMED
    if rest > 0:
        first = ", ".join(named[:ITEMS_NAMED])
        return ngettext("%(items)s and %(rest)d more", "%(items)s and %(rest)d more", rest) % {
            "items": first,
            "rest": rest,
        }
    return ", ".join(named)


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    PAYPAL = "paypal", "PayPal"
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class Payment(models.Model):
    """What the buyer paid. Refunds (disputes app) are measured against this amount."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payment")
    amount = money_field()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    provider_reference = models.CharField(max_length=64, unique=True)
    paid_at = models.DateTimeField()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} by {self.get_method_display()}"


class Carrier(models.TextChoices):
    DHL = "dhl", "DHL"
    UPS = "ups", "UPS"
    FEDEX = "fedex", "FedEx"
    USPS = "usps", "USPS"
    ROYAL_MAIL = "royal_mail", "Royal Mail"
    CHINA_POST = "china_post", "China Post"
    CAINIAO = "cainiao", "Cainiao"
    OTHER = "other", _("Other carrier")


class Parcel(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="parcels")
    carrier = models.CharField(max_length=20, choices=Carrier.choices)
    tracking_number = models.CharField(max_length=40)
    shipped_at = models.DateTimeField()

    class Meta:
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        ordering = ["shipped_at", "id"]
        constraints = [
            # One tracking number proves one shipment: reusing it on another order is refused.
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="parcel_tracking_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.tracking_number}"


class OrderEvent(TimelineEvent):
    """One act on an order (the catalogue's `orders.*` codes, orders/events.py)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="events")

    # Lazy labels, said in the reader's language when the timeline is shown.
    state_labels = cast(Mapping[str, str], dict(OrderState.choices))
    subject_field = "order"

    class Meta(TimelineEvent.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "created_at"], name="orderevent_order_time")]
