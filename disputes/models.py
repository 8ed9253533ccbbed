import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core.money import Money, money_field
from core.timeline import TimelineEvent
from orders.models import Carrier, Order
from policies.models import Policy

if TYPE_CHECKING:
    from django_fsm import Transition

    from accounts.models import User


class Reason(models.TextChoices):
    NOT_RECEIVED = "not_received", "Not received"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    DAMAGED = "damaged", "Damaged or defective"
    MISSING_PARTS = "missing_parts", "Missing parts or items"
    WRONG_ITEM = "wrong_item", "Wrong item"
    IN_TRANSIT = "in_transit", "Late delivery / still in transit"

    @classmethod
    def needing_photos(cls) -> set[str]:
        return {cls.NOT_AS_DESCRIBED, cls.DAMAGED}

    @classmethod
    def about_delivery(cls) -> set[str]:
        return {cls.NOT_RECEIVED, cls.IN_TRANSIT}


class Remedy(models.TextChoices):
    FULL_REFUND = "full_refund", "Full refund"
    PARTIAL_REFUND = "partial_refund", "Partial refund"
    REPLACEMENT = "replacement", "Replacement"
    RETURN_AND_REFUND = "return_and_refund", "Return and refund"


class DisputeState(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", "Waiting for the seller"
    AWAITING_BUYER = "awaiting_buyer", "Seller rejected: buyer to respond"
    ESCALATED = "escalated", "With an arbiter"
    APPEALED = "appealed", "Appeal with an arbiter"
    AWAITING_RETURN = "awaiting_return", "Buyer to return the item"
    RETURN_IN_TRANSIT = "return_in_transit", "Return on its way to the seller"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Withdrawn by the buyer"


OPEN_STATES = [
    DisputeState.AWAITING_SELLER,
    DisputeState.AWAITING_BUYER,
    DisputeState.ESCALATED,
    DisputeState.AWAITING_RETURN,
    DisputeState.RETURN_IN_TRANSIT,
    DisputeState.APPEALED,
]
# Cases an arbiter must decide.
ARBITRATION_STATES = [DisputeState.ESCALATED, DisputeState.APPEALED]
NEGOTIATING = [DisputeState.AWAITING_SELLER, DisputeState.AWAITING_BUYER]

# A ruling that can still be appealed: ruled, not appealed, not final (the query form of
# Dispute.appeal_open; its window's length is the APPEAL deadline's).
APPEALABLE = models.Q(ruled_at__isnull=False, appealed_at__isnull=True, final_at__isnull=True)
# Disputes that keep the seller's money back: open, or ruled and still appealable
# (the query form of Dispute.holds_payout).
HOLDS_PAYOUT = models.Q(state__in=OPEN_STATES) | APPEALABLE


class Outcome(models.TextChoices):
    REFUNDED = "refunded", "Refunded in full"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REPLACEMENT = "replacement", "Replacement agreed"
    CLAIM_REJECTED = "claim_rejected", "Claim rejected"
    RETURN_NOT_SHIPPED = "return_not_shipped", "Closed: the return was not shipped in time"


# Permission checks for the transitions. django-fsm's types say a check takes any Model, so each
# `permission=` below carries an ignore: ours take the model they guard.
def _is_buyer(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.pk == dispute.order.buyer_id


def _is_seller(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.pk == dispute.order.store.owner_id


def _is_party(dispute: "Dispute", user: "User | None") -> bool:
    return _is_buyer(dispute, user) or _is_seller(dispute, user)


def _is_arbiter(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.is_arbiter


_AGREED = RETURN_VALUE(DisputeState.RESOLVED, DisputeState.AWAITING_RETURN)


class Dispute(ConcurrentTransitionMixin, models.Model):
    """A buyer's claim on an order. Each @transition only moves the state; the service that
    calls it checks who may act, writes the timeline, sets deadlines and moves money."""

    reference = models.CharField(max_length=20, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    # The order's store, copied (it never changes) so that a seller's standing is counted from
    # an index on this table alone instead of a join through every order.
    store = models.ForeignKey("orders.Store", on_delete=models.PROTECT, related_name="disputes")
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    description = models.TextField()
    state = FSMField(
        choices=DisputeState.choices,
        default=DisputeState.AWAITING_SELLER,
        protected=True,
        db_index=True,
    )
    outcome = models.CharField(max_length=32, choices=Outcome.choices, blank=True)
    agreed_offer = models.ForeignKey(
        "Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)
    seller_clock_started_at = models.DateTimeField(
        help_text="When the buyer opened or last modified the claim: the seller's answer is due "
        "a policy-set number of days later."
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_carrier = models.CharField(max_length=20, choices=Carrier.choices, blank=True)
    return_tracking_number = models.CharField(max_length=40, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    return_received_at = models.DateTimeField(null=True, blank=True)

    # Arbitration queue: when the case reached arbitration, who works it, by when Parley aims to
    # have resolved it (filing + the policy's resolution target), and what the buyer claims.
    escalated_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_disputes",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    target_at = models.DateTimeField(help_text="Filing + the policy's resolution target.")
    claimed_amount = money_field(default=0)
    # A ruling may be appealed once within the policy's window; it is final after that (or
    # when the appeal is decided), and only then is the seller's payout released.
    ruled_at = models.DateTimeField(null=True, blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_at = models.DateTimeField(null=True, blank=True)
    # An arbiter's request for more evidence: from whom and by when; a request that went
    # unanswered sends the case back to the queue marked so.
    evidence_requested_from = models.CharField(max_length=10, blank=True)
    evidence_due_at = models.DateTimeField(null=True, blank=True)
    no_answer_from = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_dispute_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "opened_at"], name="dispute_store_opened"),
            # The arbitration queue's order, on the rows it shows only (keyset pagination).
            models.Index(
                "target_at",
                models.F("claimed_amount").desc(),
                "id",
                condition=models.Q(state__in=["escalated", "appealed"]),
                name="dispute_queue_order",
            ),
            # End of protection looks for these per order; few disputes hold a payout at once.
            models.Index(fields=["order"], condition=HOLDS_PAYOUT, name="dispute_holds_payout"),
        ]

    def __str__(self) -> str:
        return self.reference

    if TYPE_CHECKING:
        # Added for the `state` field by django-fsm when the class is built.
        def get_available_state_transitions(self) -> Iterator[Transition]: ...
        def get_available_user_state_transitions(self, user: User) -> Iterator[Transition]: ...

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def appeal_open(self) -> bool:
        """The ruling can still be appealed (see APPEALABLE, the same as a query)."""
        return self.ruled_at is not None and self.appealed_at is None and self.final_at is None

    @property
    def holds_payout(self) -> bool:
        """Open, or ruled and still appealable: the seller is not paid yet."""
        return self.is_open or self.appeal_open

    # --- Negotiation ------------------------------------------------------------------------

    @transition(
        field=state,
        source=DisputeState.AWAITING_SELLER,
        target=_AGREED,
        permission=_is_seller,  # type: ignore[arg-type]
    )
    def seller_accept(self, *, needs_return: bool) -> str:
        return DisputeState.AWAITING_RETURN if needs_return else DisputeState.RESOLVED

    @transition(
        field=state,
        source=DisputeState.AWAITING_SELLER,
        target=DisputeState.AWAITING_BUYER,
        permission=_is_seller,  # type: ignore[arg-type]
    )
    def seller_reject(self) -> None:
        pass

    @transition(
        field=state,
        source=NEGOTIATING,
        target=DisputeState.AWAITING_SELLER,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_modify(self) -> None:
        pass

    @transition(
        field=state,
        source=DisputeState.AWAITING_BUYER,
        target=_AGREED,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_accept_offer(self, *, needs_return: bool) -> str:
        return DisputeState.AWAITING_RETURN if needs_return else DisputeState.RESOLVED

    @transition(
        field=state,
        source=DisputeState.AWAITING_BUYER,
        target=DisputeState.ESCALATED,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_escalate(self) -> None:
        pass

    @transition(
        field=state,
        source=[*NEGOTIATING, DisputeState.ESCALATED],
        target=DisputeState.CANCELLED,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_cancel(self) -> None:
        pass

    # --- The clock (actor is the system) ----------------------------------------------------

    @transition(field=state, source=DisputeState.AWAITING_SELLER, target=_AGREED)
    def resolve_for_seller_silence(self, *, needs_return: bool) -> str:
        return DisputeState.AWAITING_RETURN if needs_return else DisputeState.RESOLVED

    @transition(field=state, source=NEGOTIATING, target=DisputeState.ESCALATED)
    def escalate(self) -> None:
        pass

    # --- Arbitration --------------------------------------------------------------------------

    @transition(
        field=state,
        source=DisputeState.ESCALATED,
        target=_AGREED,
        permission=_is_arbiter,  # type: ignore[arg-type]
    )
    def rule(self, *, needs_return: bool) -> str:
        return DisputeState.AWAITING_RETURN if needs_return else DisputeState.RESOLVED

    @transition(
        field=state,
        source=[
            DisputeState.RESOLVED,
            DisputeState.AWAITING_RETURN,
            DisputeState.RETURN_IN_TRANSIT,
        ],
        target=DisputeState.APPEALED,
        permission=_is_party,  # type: ignore[arg-type]
        # django-fsm types a condition's argument as Model; it is this Dispute.
        conditions=[lambda d: d.appeal_open],  # type: ignore[attr-defined]
    )
    def appeal(self) -> None:
        pass

    @transition(
        field=state,
        source=DisputeState.APPEALED,
        target=RETURN_VALUE(
            DisputeState.RESOLVED, DisputeState.AWAITING_RETURN, DisputeState.RETURN_IN_TRANSIT
        ),
        permission=_is_arbiter,  # type: ignore[arg-type]
    )
    def decide_appeal(self, *, needs_return: bool) -> str:
        if not needs_return:
            return DisputeState.RESOLVED
        # A return the buyer already sent stays on its way.
        shipped = self.return_shipped_at is not None
        return DisputeState.RETURN_IN_TRANSIT if shipped else DisputeState.AWAITING_RETURN

    # --- The return path ----------------------------------------------------------------------

    @transition(
        field=state,
        source=DisputeState.AWAITING_RETURN,
        target=DisputeState.RETURN_IN_TRANSIT,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_ship_return(self) -> None:
        pass

    @transition(
        field=state,
        source=DisputeState.RETURN_IN_TRANSIT,
        target=DisputeState.RESOLVED,
        permission=_is_seller,  # type: ignore[arg-type]
    )
    def seller_confirm_return(self) -> None:
        pass

    @transition(field=state, source=DisputeState.RETURN_IN_TRANSIT, target=DisputeState.RESOLVED)
    def refund_unconfirmed_return(self) -> None:
        pass

    @transition(field=state, source=DisputeState.AWAITING_RETURN, target=DisputeState.RESOLVED)
    def close_unshipped_return(self) -> None:
        pass


class Party(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    ARBITER = "arbiter", "Parley arbiter"


class Offer(models.Model):
    """One proposal on the table: the buyer's claim or the seller's counter-offer.

    Offers are never edited: a new proposal supersedes the party's previous one.
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="offers")
    party = models.CharField(max_length=10, choices=Party.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    remedy = models.CharField(max_length=32, choices=Remedy.choices)
    amount = money_field(null=True, blank=True)
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="offer_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.describe()}"

    @property
    def money(self) -> Money | None:
        return Money(self.amount, self.currency) if self.amount is not None else None

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    @property
    def needs_return(self) -> bool:
        return self.remedy == Remedy.RETURN_AND_REFUND

    def describe(self) -> str:
        return remedy_text(self.remedy, self.money)


def remedy_text(remedy: str, money: Money | None) -> str:
    """An offer in words, "Partial refund of 12.00 USD" (offers and their events say it so)."""
    if remedy == Remedy.REPLACEMENT:
        return "Replacement"
    label = str(Remedy(remedy).label)
    return f"{label} of {money}" if money else label


class DeadlineKind(models.TextChoices):
    SELLER_ANSWER = "seller_answer", "Seller's answer"
    NEGOTIATION_LIMIT = "negotiation_limit", "Negotiation limit"
    GOODS_IN_TRANSIT = "goods_in_transit", "Goods in transit"
    RETURN_SHIPMENT = "return_shipment", "Return shipment"
    RETURN_RECEIPT = "return_receipt", "Return receipt"
    APPEAL = "appeal", "Appeal window"
    EVIDENCE_REQUEST = "evidence_request", "Evidence requested by the arbiter"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "Running"
    PAUSED = "paused", "Paused by staff"
    FIRED = "fired", "Passed: the rule acted"
    CANCELLED = "cancelled", "No longer applies"


RUNNING_STATUSES = [DeadlineStatus.PENDING, DeadlineStatus.PAUSED]


class Deadline(models.Model):
    """One clock on a dispute. A row per clock (not columns on Dispute) because clocks come and
    go with the state, may be extended or paused with a reason, and the rule engine scans one
    indexed table in due order (partial indexes on pending rows).

    `base_due_at` is what the policy gives; `due_at` is when it really fires (base plus staff
    extensions; empty while paused, with the time left kept in `remaining`).
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    base_due_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.PENDING
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="deadline_pending_due",
            ),
            models.Index(
                fields=["next_reminder_at", "id"],
                condition=models.Q(status="pending", next_reminder_at__isnull=False),
                name="deadline_reminder_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "kind"],
                condition=models.Q(status__in=["pending", "paused"]),
                name="one_running_deadline_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind} {self.due_at or 'paused'}"

    @property
    def is_extended(self) -> bool:
        return self.due_at is not None and self.due_at != self.base_due_at


def _evidence_name(instance: "EvidenceItem", filename: str) -> str:
    # Random, unguessable names; the original name is kept in a column, never in the path.
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key}.jpg"


def _thumbnail_name(instance: "EvidenceItem", filename: str) -> str:
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key}-thumb.jpg"


class Message(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"


class EvidenceItem(models.Model):
    """A photo as stored: re-encoded, stripped of metadata, hashed. Never changed afterwards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    party = models.CharField(max_length=10, choices=Party.choices)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(upload_to=_evidence_name)
    thumbnail = models.FileField(upload_to=_thumbnail_name)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Evidence is immutable once submitted.")
        super().save(*args, **kwargs)


class DisputeEvent(TimelineEvent):
    """One act on a dispute, shown to both parties (codes: disputes/events.py and the clocks)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="events")

    state_labels = dict(DisputeState.choices)

    class Meta(TimelineEvent.Meta):
        indexes = [models.Index(fields=["dispute", "created_at"], name="disputeevent_time")]

    @property
    def subject_id(self) -> int:
        return self.dispute_id


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Being paid"
    SETTLED = "settled", "Paid"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    """The only way money goes back to a buyer. An order's refunds never exceed its payment
    (checked under the order's row lock, and by a PostgreSQL trigger as a backstop)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = money_field()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200)
    source = models.CharField(max_length=64, help_text="The act that caused it (event code).")
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    # Written (and committed) before each call to the provider: a worker that dies mid-call
    # leaves the trace, and the retry calls again with the same idempotency key.
    settlement_attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    # Set by the ledger on the refunds it issues: what the order still has to refund after it.
    left_after: Decimal

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.money} for {self.order_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)


class SellerRating(models.Model):
    """The buyer's rating of the seller after a dispute ended: once per order."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="rating")
    store = models.ForeignKey("orders.Store", on_delete=models.PROTECT, related_name="ratings")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    stars = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["store", "created_at"], name="rating_store_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ for {self.store_id}"
