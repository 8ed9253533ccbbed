"""The rules the clock enforces. Each finds what is overdue through an indexed column, and acts
on one row at a time: lock it (skipping rows another engine holds), re-check it, then perform the
act through the same service a person would use, dated when it fell due."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from disputes import services as dispute_services
from disputes.deadlines import RESPONSIBLE_PARTY, next_reminder, wanted_deadlines
from disputes.models import (
    OPEN_STATES,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Dispute,
    Reason,
)
from disputes.notify import tell
from orders import services as order_services
from orders.errors import ActionRefused
from orders.models import Order, OrderState


@dataclass(frozen=True)
class Due:
    due_at: datetime
    rule: "Rule"
    pk: int


class Rule:
    name: str

    def candidates(self, now: datetime, limit: int, skip: set[int]) -> list[Due]:
        raise NotImplementedError

    def fire(self, pk: int, now: datetime) -> bool:
        """Act on one overdue row; False when there was nothing (left) to do."""
        raise NotImplementedError


def _dues(rule: Rule, rows, skip: set[int]) -> list[Due]:
    return [Due(due_at, rule, pk) for due_at, pk in rows if pk not in skip]


# --- Dispute clocks -------------------------------------------------------------------------------

_ESCALATIONS = {
    DeadlineKind.NEGOTIATION_LIMIT: (
        "negotiation_limit",
        "No agreement within {days} days of filing: the case went to a Parley arbiter",
    ),
    DeadlineKind.GOODS_IN_TRANSIT: (
        "goods_in_transit",
        "The seller's delivery time limit ran out with the parcel still not received: "
        "the case went to a Parley arbiter",
    ),
}


def _act_on_deadline(deadline: Deadline, now: datetime) -> None:
    dispute, due = deadline.dispute, deadline.due_at
    match deadline.kind:
        case DeadlineKind.SELLER_ANSWER:
            dispute_services.dispute_resolve_for_seller_silence(
                dispute=dispute, now=due, ran_at=now
            )
        case DeadlineKind.NEGOTIATION_LIMIT | DeadlineKind.GOODS_IN_TRANSIT:
            rule, text = _ESCALATIONS[deadline.kind]
            dispute_services.dispute_escalate(
                dispute=dispute,
                rule=rule,
                explanation=text.format(days=dispute.policy.negotiation_days),
                now=due,
                ran_at=now,
            )
        case DeadlineKind.RETURN_SHIPMENT:
            dispute_services.dispute_close_unshipped_return(dispute=dispute, now=due, ran_at=now)
        case DeadlineKind.RETURN_RECEIPT:
            dispute_services.dispute_refund_unconfirmed_return(dispute=dispute, now=due, ran_at=now)
        case DeadlineKind.APPEAL:
            dispute_services.dispute_finalize(dispute=dispute, now=due, ran_at=now)
        case DeadlineKind.EVIDENCE_REQUEST:
            dispute_services.dispute_evidence_overdue(dispute=dispute, now=due, ran_at=now)
        case _:
            raise ActionRefused(f"No rule acts on {deadline.kind} deadlines yet.")


def _lock_dispute_then(deadline_pk: int, now: datetime, *, field: str) -> Deadline | None:
    """Lock the deadline's dispute first (the order every service locks in), then re-read the
    deadline: it may have been fired, cancelled or moved since it was listed."""
    locked = (
        Dispute.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(deadlines__pk=deadline_pk)
        .values_list("pk", flat=True)
    )
    if not list(locked):
        return None  # gone, or another engine (or a person) holds this dispute right now
    return (
        Deadline.objects.select_related("dispute__order__store", "dispute__policy")
        .filter(pk=deadline_pk, status=DeadlineStatus.PENDING, **{f"{field}__lte": now})
        .first()
    )


class DisputeDeadlineRule(Rule):
    name = "dispute deadlines"

    def candidates(self, now, limit, skip):
        rows = (
            Deadline.objects.filter(status=DeadlineStatus.PENDING, due_at__lte=now)
            .order_by("due_at", "id")
            .values_list("due_at", "id")[: limit + len(skip)]
        )
        return _dues(self, rows, skip)

    def fire(self, pk, now):
        try:
            with transaction.atomic():
                deadline = _lock_dispute_then(pk, now, field="due_at")
                if deadline is None:
                    return False
                if wanted_deadlines(deadline.dispute).get(deadline.kind) != deadline.base_due_at:
                    # Something outside the dispute (e.g. receipt confirmed) made it moot.
                    raise ActionRefused("This clock no longer applies.")
                deadline.status = DeadlineStatus.FIRED
                deadline.closed_at = now
                deadline.save(update_fields=["status", "closed_at"])
                _act_on_deadline(deadline, now)
                return True
        except ActionRefused:
            # The state no longer fits the clock (it should have been stopped): retire it.
            Deadline.objects.filter(pk=pk, status=DeadlineStatus.PENDING).update(
                status=DeadlineStatus.CANCELLED, closed_at=now
            )
            return False


class ReminderRule(Rule):
    name = "reminders"

    def candidates(self, now, limit, skip):
        rows = (
            Deadline.objects.filter(
                status=DeadlineStatus.PENDING,
                next_reminder_at__isnull=False,
                next_reminder_at__lte=now,
            )
            .order_by("next_reminder_at", "id")
            .values_list("next_reminder_at", "id")[: limit + len(skip)]
        )
        return _dues(self, rows, skip)

    @transaction.atomic
    def fire(self, pk, now):
        deadline = _lock_dispute_then(pk, now, field="next_reminder_at")
        if deadline is None:
            return False
        remind_at = deadline.next_reminder_at
        deadline.next_reminder_at = next_reminder(deadline.kind, deadline.due_at, now)
        deadline.save(update_fields=["next_reminder_at"])
        if deadline.due_at <= now:
            return False  # too late to remind: the deadline itself acts
        offset = round((deadline.due_at - remind_at).total_seconds() / 3600)
        hours_left = max(1, round((deadline.due_at - now).total_seconds() / 3600))
        dispute = deadline.dispute
        tell(
            dispute,
            RESPONSIBLE_PARTY[deadline.kind],
            key=f"deadline:{deadline.pk}:{deadline.due_at.timestamp():.0f}:remind:{offset}h",
            subject=f"Reminder: dispute {dispute.reference} needs you",
            body=f"{deadline.get_kind_display()} is due {deadline.due_at:%-d %b %Y, %H:%M} UTC "
            f"(in about {hours_left} hours). Open the dispute to see what happens then.",
            now=remind_at,
        )
        return True


# --- Order clocks -------------------------------------------------------------------------------


def _lock_order(pk: int, **conditions) -> Order | None:
    return (
        Order.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("policy", "store")
        .filter(pk=pk, **conditions)
        .first()
    )


def _not_received_claim():
    """An open "not received" claim: receipt is never confirmed behind the buyer's back."""
    return Dispute.objects.filter(
        order=OuterRef("pk"), state__in=OPEN_STATES, reason__in=Reason.about_delivery()
    )


class ReceiptRule(Rule):
    """The delivery time limit ran out and the buyer has not confirmed: confirm it for them."""

    name = "automatic receipt"

    def candidates(self, now, limit, skip):
        rows = (
            Order.objects.filter(state=OrderState.SHIPPED, promised_delivery_at__lte=now)
            .exclude(Exists(_not_received_claim()))
            .order_by("promised_delivery_at", "id")
            .values_list("promised_delivery_at", "id")[: limit + len(skip)]
        )
        return _dues(self, rows, skip)

    @transaction.atomic
    def fire(self, pk, now):
        order = _lock_order(pk, state=OrderState.SHIPPED, promised_delivery_at__lte=now)
        if (
            order is None
            or Dispute.objects.filter(
                order=order, state__in=OPEN_STATES, reason__in=Reason.about_delivery()
            ).exists()
        ):
            return False
        order_services.order_confirm_receipt(
            order=order, actor=None, now=order.promised_delivery_at, ran_at=now
        )
        return True


def _payout_holders() -> Q:
    """Disputes that keep the seller's money back: open, or ruled and still appealable."""
    return Q(state__in=OPEN_STATES) | Q(ruled_at__isnull=False, final_at__isnull=True)


def _open_dispute():
    return Dispute.objects.filter(_payout_holders(), order=OuterRef("pk"))


class ProtectionEndRule(Rule):
    """Protection ended with no dispute open: the order completes and the seller is paid."""

    name = "protection end"

    def candidates(self, now, limit, skip):
        rows = (
            Order.objects.filter(state=OrderState.RECEIVED, protection_ends_at__lte=now)
            .exclude(Exists(_open_dispute()))
            .order_by("protection_ends_at", "id")
            .values_list("protection_ends_at", "id")[: limit + len(skip)]
        )
        return _dues(self, rows, skip)

    @transaction.atomic
    def fire(self, pk, now):
        order = _lock_order(pk, state=OrderState.RECEIVED, protection_ends_at__lte=now)
        if order is None or Dispute.objects.filter(_payout_holders(), order=order).exists():
            return False
        # If a dispute held the payout past the end of protection, it is released when the
        # dispute closed, or its ruling became final.
        ends = order.disputes.values_list("closed_at", "final_at")
        when = max(filter(None, [order.protection_ends_at, *(t for pair in ends for t in pair)]))
        order_services.order_complete(order=order, now=when, ran_at=now)
        return True


RULES: list[Rule] = [DisputeDeadlineRule(), ReminderRule(), ReceiptRule(), ProtectionEndRule()]
