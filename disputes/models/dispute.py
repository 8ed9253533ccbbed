"""The dispute and its state machine. Each @transition only moves the state; the service that
calls it checks who may act, writes the timeline, sets deadlines and moves money."""

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from core.fsm import StateMachine
from core.money import money_field
from orders.models import Carrier, Order, OrderLine, items_label
from policies.models import Policy

from .choices import (
    CARRYING_OUT,
    HOLDS_PAYOUT,
    NEGOTIATING,
    OPEN_STATES,
    WITHDRAWABLE,
    DisputeState,
    Outcome,
    Reason,
)

if TYPE_CHECKING:
    from django_fsm import Transition

    from accounts.models import User


def _is_buyer(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.pk == dispute.order.buyer_id


def _is_seller(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.pk == dispute.order.store.owner_id


def _is_party(dispute: "Dispute", user: "User | None") -> bool:
    return _is_buyer(dispute, user) or _is_seller(dispute, user)


def _is_arbiter(dispute: "Dispute", user: "User | None") -> bool:
    return user is not None and user.is_arbiter


def _is_seller_or_arbiter(dispute: "Dispute", user: "User | None") -> bool:
    return _is_seller(dispute, user) or _is_arbiter(dispute, user)


_AGREED = RETURN_VALUE(
    DisputeState.RESOLVED, DisputeState.AWAITING_RETURN, DisputeState.AWAITING_REPLACEMENT
)


def _agreed(needs_return: bool, needs_replacement: bool) -> str:
    """Where an agreed or ruled remedy goes: the return path, the replacement path, or done."""
    if needs_return:
        return DisputeState.AWAITING_RETURN
    if needs_replacement:
        return DisputeState.AWAITING_REPLACEMENT
    return DisputeState.RESOLVED


class Dispute(StateMachine, models.Model):
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
    # The language the claim was written in (core.languages; blank: before it was recorded).
    description_language = models.CharField(max_length=10, blank=True, default="")
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
        help_text=_(
            "When the buyer opened or last modified the claim: the seller's answer is due "
            "a policy-set number of days later."
        )
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    return_carrier = models.CharField(max_length=20, choices=Carrier.choices, blank=True)
    return_tracking_number = models.CharField(max_length=40, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    return_received_at = models.DateTimeField(null=True, blank=True)
    # The returned parcel's delivery, as recorded (the seller, staff, or later a carrier
    # event): the seller's days to confirm the return run from it.
    return_delivered_at = models.DateTimeField(null=True, blank=True)
    # An agreed or ruled replacement: the seller ships it (like an order's delivery form), the
    # buyer confirms receipt or it is confirmed at the delivery time limit.
    replacement_carrier = models.CharField(max_length=20, choices=Carrier.choices, blank=True)
    replacement_tracking_number = models.CharField(max_length=40, blank=True)
    replacement_shipped_at = models.DateTimeField(null=True, blank=True)
    replacement_delivery_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The seller's delivery time limit for the replacement.")
    )
    replacement_received_at = models.DateTimeField(null=True, blank=True)

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
    target_at = models.DateTimeField(help_text=_("Filing + the policy's resolution target."))
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
    def claimed_items(self) -> list[tuple[OrderLine, int]]:
        """The order lines the claim is about, with how many of each (lists read them through
        `selectors.with_items`). A dispute from before claims named items is about the whole
        order: every line, in full."""
        claimed = [(claimed.line, claimed.quantity) for claimed in self.claimed_lines.all()]
        return claimed or [(line, line.quantity) for line in self.order.lines.all()]

    @property
    def items_label(self) -> str:
        """ "Blue kettle ×1, Mug ×2": what the claim is about, as lists and headers say it."""
        return items_label(self.claimed_items)

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
    def seller_accept(self, *, needs_return: bool, needs_replacement: bool = False) -> str:
        return _agreed(needs_return, needs_replacement)

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
    def buyer_accept_offer(self, *, needs_return: bool, needs_replacement: bool = False) -> str:
        return _agreed(needs_return, needs_replacement)

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
        source=WITHDRAWABLE,
        target=DisputeState.CANCELLED,
        permission=_is_buyer,  # type: ignore[arg-type]
        conditions=[lambda d: d.ruled_at is None],  # type: ignore[attr-defined]
    )
    def buyer_cancel(self) -> None:
        """Withdrawn any time before a ruling, an agreed return not yet refunded included."""
        pass

    # --- The clock (actor is the system) ----------------------------------------------------

    @transition(field=state, source=DisputeState.AWAITING_SELLER, target=_AGREED)
    def resolve_for_seller_silence(
        self, *, needs_return: bool, needs_replacement: bool = False
    ) -> str:
        return _agreed(needs_return, needs_replacement)

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
    def rule(self, *, needs_return: bool, needs_replacement: bool = False) -> str:
        return _agreed(needs_return, needs_replacement)

    @transition(
        field=state,
        source=[DisputeState.RESOLVED, *CARRYING_OUT],
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
        target=RETURN_VALUE(DisputeState.RESOLVED, *CARRYING_OUT),
        permission=_is_arbiter,  # type: ignore[arg-type]
    )
    def decide_appeal(self, *, needs_return: bool, needs_replacement: bool = False) -> str:
        # A return the buyer already sent, or a replacement the seller sent, stays on its way.
        if needs_return:
            shipped = self.return_shipped_at is not None
            return DisputeState.RETURN_IN_TRANSIT if shipped else DisputeState.AWAITING_RETURN
        if needs_replacement:
            sent = self.replacement_shipped_at is not None
            return (
                DisputeState.REPLACEMENT_IN_TRANSIT if sent else DisputeState.AWAITING_REPLACEMENT
            )
        return DisputeState.RESOLVED

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
        target=DisputeState.RETURN_IN_TRANSIT,
        permission=_is_seller_or_arbiter,  # type: ignore[arg-type]
        conditions=[lambda d: d.return_delivered_at is None],  # type: ignore[attr-defined]
    )
    def record_return_delivery(self) -> None:
        """The returned parcel was delivered (the seller says so, or staff enter it): the
        seller's days to confirm the return run from then. Recorded once."""

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

    # --- The replacement path -----------------------------------------------------------------

    @transition(
        field=state,
        source=DisputeState.AWAITING_REPLACEMENT,
        target=DisputeState.REPLACEMENT_IN_TRANSIT,
        permission=_is_seller,  # type: ignore[arg-type]
    )
    def seller_ship_replacement(self) -> None:
        pass

    @transition(
        field=state,
        source=DisputeState.REPLACEMENT_IN_TRANSIT,
        target=DisputeState.RESOLVED,
        permission=_is_buyer,  # type: ignore[arg-type]
    )
    def buyer_confirm_replacement(self) -> None:
        pass

    @transition(
        field=state, source=DisputeState.REPLACEMENT_IN_TRANSIT, target=DisputeState.RESOLVED
    )
    def confirm_replacement_automatically(self) -> None:
        pass

    @transition(field=state, source=DisputeState.AWAITING_REPLACEMENT, target=DisputeState.RESOLVED)
    def refund_unshipped_replacement(self) -> None:
        pass
