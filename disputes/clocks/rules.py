"""The rules the engine (timers.engine) runs: dispute deadlines at zero, their reminders, and
the two order clocks that must know about disputes (automatic receipt, end of protection).

Each rule says which rows are overdue (`overdue`, through an indexed column, in `due_field`
order), which rows the engine locks with them (`locks`, `related`) and what to do with the
rows it claimed (`act`, inside the engine's transaction, through the batch form of the same
acts a person or a single timer uses: one statement per table for the whole batch). A row
whose state no longer fits its clock is reported as passed (`Outcome.passed`) or retired.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, QuerySet
from django.utils.functional import partition

from core.timeline import Entry, Recorder
from notifications.services import deferred_delivery
from orders import services as order_services
from orders.models import Order, OrderState, Store
from policies.models import Policy

from ..deadlines import deadlines_cancel, deadlines_fire, reminders_moved_on
from ..ledger import settled_by_worker
from ..models import (
    HOLDS_PAYOUT,
    OPEN_STATES,
    Deadline,
    DeadlineStatus,
    Dispute,
    DisputeEvent,
    Reason,
)
from . import CLOCKS, clock_of
from .acts import act_named
from .catalogue import REMINDED


@dataclass(frozen=True)
class Outcome:
    acted: int = 0
    passed: frozenset[int] = frozenset()  # claimed rows that needed nothing (this run)


class Rule:
    """What the engine reads of a rule (see timers.engine.Rule); defaults for the rest."""

    name: ClassVar[str]
    due_field: ClassVar[str]
    locks: ClassVar[tuple[str, ...]] = ("self",)  # SELECT … FOR UPDATE OF these
    related: ClassVar[tuple[str, ...]] = ()  # loaded in the same statement

    def overdue(self, now: datetime) -> QuerySet[Any]:
        raise NotImplementedError

    def loaded(self, rows: list[Any]) -> list[Any]:
        """Attach what the acts read and few rows share (policies, stores)."""
        return rows

    def act(self, rows: list[Any], now: datetime) -> Outcome:
        raise NotImplementedError

    def retire(self, pk: int, now: datetime) -> None:
        """A row whose act was refused: stop it coming back."""


@contextmanager
def running() -> Iterator[None]:
    """A run of the rules: one notification-delivery task for all it wrote, and refunds settled
    by the worker (a provider call per refund must not hold up the clock)."""
    with deferred_delivery(), settled_by_worker():
        yield


def _share(objs: Sequence[models.Model], relation: str, model: type[models.Model]) -> None:
    """Give every object the one shared instance of a relation that few rows have between
    them (a policy version, a store), instead of building a copy per row."""
    shared = model._default_manager.in_bulk({getattr(obj, f"{relation}_id") for obj in objs})
    for obj in objs:
        setattr(obj, relation, shared[getattr(obj, f"{relation}_id")])


# --- Dispute clocks -------------------------------------------------------------------------------


class _DeadlineRule(Rule):
    """A rule over dispute deadlines, claimed with their dispute.

    The deadline row is locked as well as its dispute (which every act on it locks first): a
    claim that started before another engine committed the same deadline then re-reads it
    under the lock and finds it no longer pending (with only the dispute locked, it would see
    the stale row and retire a clock that had just fired). The order needs no lock here: the
    ledger locks it for a refund, and nothing that holds an order waits for a dispute, so that
    wait is short and cannot deadlock."""

    locks = ("self", "dispute")
    related = ("dispute__order", "dispute__agreed_offer")

    def loaded(self, rows: list[Deadline]) -> list[Deadline]:
        disputes = [deadline.dispute for deadline in rows]
        _share(disputes, "policy", Policy)
        _share([dispute.order for dispute in disputes], "store", Store)
        return rows


def _one_per_dispute(deadlines: list[Deadline]) -> list[Deadline]:
    """A dispute's later clock waits for the next batch: the earlier one's act may stop it."""
    seen: set[int] = set()
    first = []
    for deadline in deadlines:
        if deadline.dispute_id not in seen:
            seen.add(deadline.dispute_id)
            first.append(deadline)
    return first


class DisputeDeadlineRule(_DeadlineRule):
    name = "dispute deadlines"
    due_field = "due_at"

    def overdue(self, now: datetime) -> QuerySet[Deadline]:
        return Deadline.objects.filter(status=DeadlineStatus.PENDING, due_at__lte=now)

    def act(self, rows: list[Deadline], now: datetime) -> Outcome:
        deadlines = _one_per_dispute(rows)
        # Something outside the dispute (e.g. receipt confirmed) may have made a clock moot.
        live, moot = partition(
            lambda d: clock_of(d.kind).due(d.dispute) != d.base_due_at, deadlines
        )
        deadlines_cancel([d.pk for d in moot], now)
        deadlines_fire(live, now)
        for kind, clock in CLOCKS.items():
            dues = [(d.dispute, d.due_at) for d in live if d.kind == kind]
            if dues:
                act_named(clock.at_zero)(dues, ran_at=now, **clock.act_options())
        return Outcome(acted=len(live), passed=frozenset(d.pk for d in moot))

    def retire(self, pk: int, now: datetime) -> None:
        # The state no longer fits the clock (it should have been stopped): retire it.
        deadlines_cancel([pk], now)


class ReminderRule(_DeadlineRule):
    name = "reminders"
    due_field = "next_reminder_at"

    def overdue(self, now: datetime) -> QuerySet[Deadline]:
        return Deadline.objects.filter(
            status=DeadlineStatus.PENDING, next_reminder_at__isnull=False, next_reminder_at__lte=now
        )

    def act(self, rows: list[Deadline], now: datetime) -> Outcome:
        """Each reminder is a note to the party who must act and an event on the case's
        timeline (which a marketplace hears as case.action_due_soon): one recorder for all."""
        recorder, late = Recorder(), set()
        for deadline in rows:
            clock, remind_at = clock_of(deadline.kind), deadline.next_reminder_at
            assert remind_at is not None and deadline.due_at is not None  # (overdue's filter)
            deadline.next_reminder_at = clock.next_reminder(deadline.due_at, now)
            if deadline.due_at <= now:
                late.add(deadline.pk)  # too late to remind: the deadline itself acts
                continue
            note = clock.reminder(deadline, remind_at, now)
            recorder.add(_reminded(deadline, clock.reminds, now), [note])
        reminders_moved_on(rows)
        recorder.write()
        return Outcome(acted=len(rows) - len(late), passed=frozenset(late))


def _reminded(deadline: Deadline, party: str | None, now: datetime) -> Entry:
    state = deadline.dispute.state
    data = {"deadline": deadline.pk, "kind": deadline.kind, "due_at": deadline.due_at}
    return DisputeEvent.entry(
        REMINDED.code,
        subject_id=deadline.dispute_id,
        actor_id=None,
        from_state=state,
        to_state=state,
        data=data | {"party": party},
        created_at=now,
    )


# --- Order clocks ---------------------------------------------------------------------------------
# An order clock must not act behind a dispute that should stop it. Opening a dispute locks the
# order first; the claim statement decides "no such dispute" from the snapshot it started with,
# so a dispute committed while it ran is invisible to it. Each act therefore looks again once
# it holds the orders (a new statement sees every commit made before its locks): a dispute
# filed since is seen, and one filed later waits for the act to commit.


class _OrderRule(Rule):
    """A rule over orders, claimed alone."""

    def due_at(self, order: Order) -> datetime:
        due_at = getattr(order, self.due_field)
        assert due_at is not None  # overdue() selects on it
        return due_at

    def loaded(self, rows: list[Order]) -> list[Order]:
        _share(rows, "policy", Policy)
        _share(rows, "store", Store)
        return rows


def _not_received_claims() -> QuerySet[Dispute]:
    """Open "not received" claims: receipt is never confirmed behind the buyer's back."""
    return Dispute.objects.filter(state__in=OPEN_STATES, reason__in=Reason.about_delivery())


class ReceiptRule(_OrderRule):
    """The delivery time limit ran out and the buyer has not confirmed: confirm it for them."""

    name = "automatic receipt"
    due_field = "promised_delivery_at"

    def overdue(self, now: datetime) -> QuerySet[Order]:
        claims = _not_received_claims().filter(order=OuterRef("pk"))
        return Order.objects.filter(
            state=OrderState.SHIPPED, promised_delivery_at__lte=now
        ).exclude(Exists(claims))

    def act(self, rows: list[Order], now: datetime) -> Outcome:
        claims = _not_received_claims().filter(order__any=rows)
        claimed = set(claims.values_list("order", flat=True))
        free = [order for order in rows if order.pk not in claimed]
        dues = [(order, self.due_at(order)) for order in free]
        if dues:
            order_services.order_confirm_receipt_many(dues, actor=None, ran_at=now)
        return Outcome(acted=len(free), passed=frozenset(claimed))


class ProtectionEndRule(_OrderRule):
    """Protection ended with no dispute holding the payout: the order completes, the seller
    is paid."""

    name = "protection end"
    due_field = "protection_ends_at"

    def overdue(self, now: datetime) -> QuerySet[Order]:
        holders = Dispute.objects.filter(HOLDS_PAYOUT, order=OuterRef("pk"))
        return Order.objects.filter(state=OrderState.RECEIVED, protection_ends_at__lte=now).exclude(
            Exists(holders)
        )

    def act(self, rows: list[Order], now: datetime) -> Outcome:
        # A dispute that held the payout past the end of protection released it when it
        # closed, or when its ruling became final; one that holds it now passes the order by.
        released: dict[int, list[datetime]] = {order.pk: [] for order in rows}
        held: set[int] = set()
        holds = ExpressionWrapper(HOLDS_PAYOUT, output_field=BooleanField())
        ended = Dispute.objects.filter(order__any=rows).annotate(holds=holds)
        for order_id, closed_at, final_at, holding in ended.values_list(
            "order_id", "closed_at", "final_at", "holds"
        ):
            released[order_id] += filter(None, (closed_at, final_at))
            if holding:
                held.add(order_id)
        free = [order for order in rows if order.pk not in held]
        dues = [(order, max([self.due_at(order), *released[order.pk]])) for order in free]
        if dues:
            order_services.order_complete_many(dues, ran_at=now)
        return Outcome(acted=len(free), passed=frozenset(held))


RULES: list[Rule] = [DisputeDeadlineRule(), ReminderRule(), ReceiptRule(), ProtectionEndRule()]
