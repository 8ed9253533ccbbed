"""The rules the clock enforces.

Each rule finds what is overdue through an indexed column (`candidates`, a plain read the engine
uses to keep every rule in due order), claims rows in due order with SKIP LOCKED (`claim`: rows
another engine or a person holds are passed over, never waited for), and acts on all it claimed
through the same service functions a person's act or a single timer uses, in their batch form
(`act`): one statement per table for the whole batch. A row whose state no longer fits its
clock is retired, and a row that needs nothing is reported so that this run passes it by.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils.functional import partition

from core.bulk import update_rows
from core.errors import StaleState
from disputes import services as dispute_services
from disputes.deadlines import RESPONSIBLE_PARTY, next_reminder, wanted_deadlines
from disputes.models import (
    HOLDS_PAYOUT,
    OPEN_STATES,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Dispute,
    Reason,
)
from disputes.notify import note_for
from notifications.services import notify_many
from orders import services as order_services
from orders.models import Order, OrderState, Store
from policies.models import Policy


@dataclass(frozen=True)
class Due:
    due_at: datetime
    rule: "Rule"
    pk: int


@dataclass
class Outcome:
    acted: int = 0
    passed: frozenset[int] = frozenset()  # claimed rows that needed nothing


class Rule:
    name: str

    def candidates(self, now: datetime, limit: int, skip: set[int]) -> list[Due]:
        """The first `limit` overdue rows, in due order, not locked (to plan a batch)."""
        rows = self.overdue(now).exclude(pk__in=skip).order_by(self.due_field, "id")
        return [Due(due, self, pk) for due, pk in rows.values_list(self.due_field, "id")[:limit]]

    def claim(self, now: datetime, limit: int, skip: set[int], pks=None) -> list:
        """Lock up to `limit` overdue rows in due order, passing over rows someone holds."""
        rows = self.overdue(now).exclude(pk__in=skip)
        if pks is not None:
            rows = rows.filter(pk__in=pks)
        return self.loaded(list(self.locking(rows).order_by(self.due_field, "id")[:limit]))

    def overdue(self, now: datetime):
        raise NotImplementedError

    def locking(self, rows):
        raise NotImplementedError

    def loaded(self, rows: list) -> list:
        """Attach what the acts read and few rows share (policies, stores)."""
        return rows

    def act(self, rows: list, now: datetime) -> Outcome:
        """Act on claimed rows (inside the caller's transaction)."""
        raise NotImplementedError

    def retire(self, pk: int, now: datetime) -> None:
        """A row whose act was refused: stop it coming back."""


# --- Dispute clocks -------------------------------------------------------------------------------


_ACTS = {
    DeadlineKind.SELLER_ANSWER: dispute_services.dispute_resolve_for_seller_silence_many,
    DeadlineKind.NEGOTIATION_LIMIT: lambda dues, ran_at: dispute_services.dispute_escalate_many(
        dues, rule=DeadlineKind.NEGOTIATION_LIMIT, ran_at=ran_at
    ),
    DeadlineKind.GOODS_IN_TRANSIT: lambda dues, ran_at: dispute_services.dispute_escalate_many(
        dues, rule=DeadlineKind.GOODS_IN_TRANSIT, ran_at=ran_at
    ),
    DeadlineKind.RETURN_SHIPMENT: dispute_services.dispute_close_unshipped_return_many,
    DeadlineKind.RETURN_RECEIPT: dispute_services.dispute_refund_unconfirmed_return_many,
    DeadlineKind.APPEAL: dispute_services.dispute_finalize_many,
    DeadlineKind.EVIDENCE_REQUEST: dispute_services.dispute_evidence_overdue_many,
}


def _lock_with_dispute(rows):
    """Lock each deadline and its dispute (what every act on it locks first) and load what the
    act reads, in one statement; a deadline whose dispute someone holds is passed over.

    The deadline row is locked too: a claim that started before another engine committed the
    same deadline then re-reads it under the lock and finds it no longer pending (with only
    the dispute locked, it would see the stale row and retire a clock that had just fired).
    The order needs no lock here: the ledger locks it for a refund, and nothing that holds an
    order waits for a dispute, so that wait is short and cannot deadlock."""
    return rows.select_for_update(skip_locked=True, of=("self", "dispute")).select_related(
        "dispute__order", "dispute__agreed_offer"
    )


def _share(objs: list, relation: str, model) -> None:
    """Give every object the one shared instance of a relation that few rows have between
    them (a policy version, a store), instead of building a copy per row."""
    shared = model.objects.in_bulk({getattr(obj, f"{relation}_id") for obj in objs})
    for obj in objs:
        setattr(obj, relation, shared[getattr(obj, f"{relation}_id")])


def _loaded_with_dispute(deadlines: list[Deadline]) -> list[Deadline]:
    disputes = [deadline.dispute for deadline in deadlines]
    _share(disputes, "policy", Policy)
    _share([dispute.order for dispute in disputes], "store", Store)
    return deadlines


class DeadlineRowRule(Rule):
    """A rule over dispute deadlines: claimed with their dispute."""

    def locking(self, rows):
        return _lock_with_dispute(rows)

    def loaded(self, rows):
        return _loaded_with_dispute(rows)


def _one_per_dispute(deadlines: list[Deadline]) -> list[Deadline]:
    """A dispute's later clock waits for the next batch: the earlier one's act may stop it."""
    seen: set[int] = set()
    first = []
    for deadline in deadlines:
        if deadline.dispute_id not in seen:
            seen.add(deadline.dispute_id)
            first.append(deadline)
    return first


class DisputeDeadlineRule(DeadlineRowRule):
    name = "dispute deadlines"
    due_field = "due_at"

    def overdue(self, now):
        return Deadline.objects.filter(status=DeadlineStatus.PENDING, due_at__lte=now)

    def act(self, rows, now):
        deadlines = _one_per_dispute(rows)
        # Something outside the dispute (e.g. receipt confirmed) may have made a clock moot.
        live, moot = partition(
            lambda d: wanted_deadlines(d.dispute).get(d.kind) != d.base_due_at, deadlines
        )
        pending = Deadline.objects.filter(status=DeadlineStatus.PENDING)
        pending.filter(pk__in=[d.pk for d in moot]).update(
            status=DeadlineStatus.CANCELLED, closed_at=now
        )
        if pending.filter(pk__in=[d.pk for d in live]).update(
            status=DeadlineStatus.FIRED, closed_at=now
        ) != len(live):
            raise StaleState("A clock changed while it was being claimed.")
        for kind, act in _ACTS.items():
            dues = [(d.dispute, d.due_at) for d in live if d.kind == kind]
            if dues:
                act(dues, ran_at=now)
        return Outcome(acted=len(live), passed=frozenset(d.pk for d in moot))

    def retire(self, pk, now):
        # The state no longer fits the clock (it should have been stopped): retire it.
        Deadline.objects.filter(pk=pk, status=DeadlineStatus.PENDING).update(
            status=DeadlineStatus.CANCELLED, closed_at=now
        )


class ReminderRule(DeadlineRowRule):
    name = "reminders"
    due_field = "next_reminder_at"

    def overdue(self, now):
        return Deadline.objects.filter(
            status=DeadlineStatus.PENDING, next_reminder_at__isnull=False, next_reminder_at__lte=now
        )

    def act(self, rows, now):
        notes, late = [], set()
        for deadline in rows:
            remind_at = deadline.next_reminder_at
            deadline.next_reminder_at = next_reminder(deadline.kind, deadline.due_at, now)
            if deadline.due_at <= now:
                late.add(deadline.pk)  # too late to remind: the deadline itself acts
                continue
            notes.append(_reminder(deadline, remind_at, now))
        update_rows(rows, ["next_reminder_at"])
        notify_many(notes)
        return Outcome(acted=len(notes), passed=frozenset(late))


def _reminder(deadline: Deadline, remind_at: datetime, now: datetime):
    offset = round((deadline.due_at - remind_at).total_seconds() / 3600)
    hours_left = max(1, round((deadline.due_at - now).total_seconds() / 3600))
    dispute = deadline.dispute
    return note_for(
        dispute,
        RESPONSIBLE_PARTY[deadline.kind],
        key=f"deadline:{deadline.pk}:{deadline.due_at.timestamp():.0f}:remind:{offset}h",
        subject=f"Reminder: dispute {dispute.reference} needs you",
        body=f"{deadline.get_kind_display()} is due {deadline.due_at:%-d %b %Y, %H:%M} UTC "
        f"(in about {hours_left} hours). Open the dispute to see what happens then.",
        at=remind_at,
    )


# --- Order clocks -------------------------------------------------------------------------------


def _lock_orders(rows):
    return rows.select_for_update(skip_locked=True, of=("self",))


def _loaded_orders(orders: list[Order]) -> list[Order]:
    _share(orders, "policy", Policy)
    _share(orders, "store", Store)
    return orders


class OrderRowRule(Rule):
    """A rule over orders: claimed alone."""

    def locking(self, rows):
        return _lock_orders(rows)

    def loaded(self, rows):
        return _loaded_orders(rows)


def _not_received_claim():
    """An open "not received" claim: receipt is never confirmed behind the buyer's back."""
    return Dispute.objects.filter(
        order=OuterRef("pk"), state__in=OPEN_STATES, reason__in=Reason.about_delivery()
    )


class ReceiptRule(OrderRowRule):
    """The delivery time limit ran out and the buyer has not confirmed: confirm it for them.

    Opening a dispute locks the order, so a claim filed at the same moment is either seen
    here or waits for this act."""

    name = "automatic receipt"
    due_field = "promised_delivery_at"

    def overdue(self, now):
        return Order.objects.filter(
            state=OrderState.SHIPPED, promised_delivery_at__lte=now
        ).exclude(Exists(_not_received_claim()))

    def act(self, rows, now):
        dues = [(order, order.promised_delivery_at) for order in rows]
        order_services.order_confirm_receipt_many(dues, actor=None, ran_at=now)
        return Outcome(acted=len(rows))


class ProtectionEndRule(OrderRowRule):
    """Protection ended with no dispute holding the payout: the order completes, the seller
    is paid."""

    name = "protection end"
    due_field = "protection_ends_at"

    def overdue(self, now):
        holders = Dispute.objects.filter(HOLDS_PAYOUT, order=OuterRef("pk"))
        return Order.objects.filter(state=OrderState.RECEIVED, protection_ends_at__lte=now).exclude(
            Exists(holders)
        )

    def act(self, rows, now):
        # If a dispute held the payout past the end of protection, it is released when the
        # dispute closed, or its ruling became final.
        released: dict[int, list[datetime]] = {order.pk: [] for order in rows}
        ended = Dispute.objects.filter(order__in=rows).values_list(
            "order_id", "closed_at", "final_at"
        )
        for order_id, *moments in ended:
            released[order_id] += filter(None, moments)
        dues = [(order, max([order.protection_ends_at, *released[order.pk]])) for order in rows]
        order_services.order_complete_many(dues, ran_at=now)
        return Outcome(acted=len(rows))


RULES: list[Rule] = [DisputeDeadlineRule(), ReminderRule(), ReceiptRule(), ProtectionEndRule()]
