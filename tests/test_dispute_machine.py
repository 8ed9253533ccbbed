"""The dispute machine and its ledger under random sequences of acts and time (hypothesis).

A buyer and a seller with two paid orders, two arbiters and a clock: each step is a person's
act (open, modify, accept, reject with a counter-offer, accept the counter, escalate, withdraw,
take, rule, appeal, decide the appeal, ship and confirm a return, ask for evidence, answer,
extend or pause a clock, confirm receipt) or time moving on with the rule engine run. Any act
may be refused (the wrong moment, an amount too high); a refused act must change nothing.

After every step, for every order and dispute:
  - refunds never exceed what was paid; each refund is issued once (one per idempotency key,
    the key naming the dispute and the offer it pays) and pays exactly the agreed amount;
  - one outcome: a dispute that ended has exactly one, and it never changes once final; at
    most one dispute is open per order; no order is completed (seller paid) while a dispute
    holds its payout;
  - every running clock is one the dispute's state gives, with the due time the state gives
    (disputes.clocks.wanted_deadlines), and every clock the state gives runs;
  - the timelines are append-only (every event seen before is still there, unchanged) and
    every event's code is in the catalogue.
The engine never fails an act (its report's `failed`), however the steps fell.
"""

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import User
from arbitration import services as arbitration
from core.errors import ActionRefused, TooLate
from core.timeline import CATALOGUE
from disputes import services
from disputes.clocks import wanted_deadlines
from disputes.deadlines import deadline_extend, deadline_pause, deadline_resume
from disputes.models import (
    APPEALABLE,
    ARBITRATION_STATES,
    HOLDS_PAYOUT,
    OPEN_STATES,
    RUNNING_STATUSES,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Dispute,
    DisputeEvent,
    DisputeState,
    Outcome,
    Party,
    Reason,
    Refund,
    RefundStatus,
)
from disputes.rules import opening_window
from orders import services as order_services
from orders.models import Order, OrderEvent, OrderState
from tests.factories import (
    ArbiterFactory,
    BuyerFactory,
    OrderFactory,
    SellerFactory,
    shipped_order,
)
from tests.snapshots import table_digests
from timers.engine import enforce_deadlines

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAID = Decimal("50.00")
AMOUNTS = st.sampled_from(["0.01", "10", "20", "25.50", "49.99", "50", "50.01", "80"]).map(Decimal)
REMEDIES = st.sampled_from(["full_refund", "partial_refund", "replacement", "return_and_refund"])
OUTCOMES = st.sampled_from(
    ["full_refund", "partial_refund", "return_then_refund", "claim_rejected"]
)
# Reasons that need no photo (photos are the evidence tests' business, and cost a file each).
REASONS = st.sampled_from(
    [Reason.NOT_RECEIVED, Reason.WRONG_ITEM, Reason.MISSING_PARTS, Reason.IN_TRANSIT]
)
HOURS = st.sampled_from([1, 20, 26, 47, 49, 4 * 24, 5 * 24 + 1, 8 * 24, 11 * 24, 16 * 24])
PICK = st.integers(min_value=0, max_value=7)

# A ruling can be replaced on appeal by "nothing more", and refunds already paid stand: after an
# appeal, a dispute's outcome and its refunds need not match, so the checks that pair them skip
# appealed disputes.
REFUNDED = {Outcome.REFUNDED, Outcome.PARTIALLY_REFUNDED}


def _user(made) -> User:
    """A factory's user, typed as one (factory-boy types calls as the factory)."""
    return made


class DisputeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run in its own savepoint, rolled back at teardown: every run starts empty.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._travel = time_machine.travel(START, tick=False)
        self.clock = self._travel.start()
        self.disputes: list[int] = []
        self.events: dict[tuple[str, int], tuple] = {}  # every timeline row seen, as it was
        self.final: dict[int, tuple[str, str]] = {}  # dispute -> (state, outcome) once final

    @initialize()
    def cast(self) -> None:
        self.buyer = _user(BuyerFactory())
        self.seller = _user(SellerFactory())
        self.arbiters = [_user(ArbiterFactory()), _user(ArbiterFactory())]
        now = START
        self.orders = [
            # Shipped 6 days ago with 10 days to deliver: receipt is automatic in 4 days.
            shipped_order(buyer=self.buyer, seller=self.seller, days_ago=6),
            # Received yesterday: protection ends in 14 days, and the seller is paid then.
            OrderFactory(
                buyer=self.buyer,
                store=self.seller.store,
                state=OrderState.RECEIVED,
                placed_at=now - timedelta(days=9),
                paid_at=now - timedelta(days=9),
                delivery_days=3,
                all_shipped_at=now - timedelta(days=8),
                promised_delivery_at=now - timedelta(days=5),
                received_at=now - timedelta(days=1),
                protection_ends_at=now + timedelta(days=14),
            ),
        ]

    def teardown(self) -> None:
        self._travel.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- Helpers --------------------------------------------------------------------------------

    def _dispute(self, i: int, *fit: Q) -> Dispute:
        """The i-th of the disputes that `fit` (all of them if none does)."""
        disputes = Dispute.objects.filter(pk__in=self.disputes).order_by("pk")
        candidates = list(disputes.filter(*fit)) or list(disputes)
        return candidates[i % len(candidates)]

    def _attempt(self, name: str, act) -> bool:
        """Do the act; a refusal must leave every row as it was."""
        before = table_digests()
        try:
            act()
        except TooLate:
            # Deadlines decide: a clock already due applied first (its changes stay), then
            # the act was refused; the invariants after each step check what the clock did.
            _seen(f"{name}: too late")
            return False
        except ActionRefused as refused:
            after = table_digests()
            changed = [t for t in before if before[t] != after[t]]
            assert not changed, f"{name} was refused ({refused.message}) yet changed {changed}"
            _seen(f"{name}: refused")
            return False
        _seen(f"{name}: done")
        return True

    def _holder(self, dispute: Dispute, a: int):
        """The arbiter working the case; if nobody is, arbiter `a` takes the next case first
        (likely this one; if not, acting on this one is refused)."""
        if dispute.assignee is None:
            self._attempt("take next", lambda: arbitration.case_take_next(arbiter=self.arbiters[a]))
            dispute.refresh_from_db()
        return dispute.assignee or self.arbiters[a]

    # --- People's acts --------------------------------------------------------------------------
    # Each act on a given dispute, with its choices drawn from `data`.

    def seller_answers(self, dispute: Dispute, data) -> None:
        """Accept the claim (the current one, or the first one the page showed: stale if the
        buyer changed it since), or reject it with or without a counter-offer."""
        if data.draw(st.booleans(), label="accept"):
            offers = dispute.offers.filter(party=Party.BUYER)
            offer = offers.order_by(data.draw(st.sampled_from(["-id", "id"]))).first()
            self._attempt(
                "seller accepts",
                lambda: services.dispute_seller_accept(
                    dispute=dispute, actor=self.seller, offer_id=offer.pk if offer else 0
                ),
            )
            return
        remedy = data.draw(st.none() | REMEDIES, label="counter")
        counter = services.Proposal(remedy, data.draw(AMOUNTS)) if remedy else None
        self._attempt(
            "seller rejects",
            lambda: services.dispute_seller_reject(
                dispute=dispute, actor=self.seller, explanation="No.", counter=counter
            ),
        )

    def buyer_answers(self, dispute: Dispute, data) -> None:
        """Accept the seller's counter-offer, or ask an arbiter to decide."""
        if data.draw(st.booleans(), label="escalate"):
            self._attempt(
                "escalate",
                lambda: services.dispute_escalate_by_buyer(dispute=dispute, actor=self.buyer),
            )
            return
        offer = dispute.offers.filter(party=Party.SELLER).order_by("-id").first()
        self._attempt(
            "buyer accepts the counter-offer",
            lambda: services.dispute_accept_offer(
                dispute=dispute, actor=self.buyer, offer_id=offer.pk if offer else 0
            ),
        )

    def modify(self, dispute: Dispute, data) -> None:
        proposal = services.Proposal(data.draw(REMEDIES), data.draw(AMOUNTS))
        self._attempt(
            "modify",
            lambda: services.dispute_modify(dispute=dispute, actor=self.buyer, proposal=proposal),
        )

    def withdraw(self, dispute: Dispute, data) -> None:
        self._attempt(
            "withdraw", lambda: services.dispute_cancel(dispute=dispute, actor=self.buyer)
        )

    def rule_on(self, dispute: Dispute, data) -> None:
        arbiter = self._holder(dispute, data.draw(st.integers(0, 1), label="arbiter"))
        amount = data.draw(st.none() | AMOUNTS, label="amount")
        decision = arbitration.Decision(
            outcome=data.draw(OUTCOMES),
            rationale="Decided.",
            policy_clause="damaged",
            amount=amount,
        )
        self._attempt(
            "rule",
            lambda: arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision),
        )

    def appeal(self, dispute: Dispute, data) -> None:
        party = self.seller if data.draw(st.booleans(), label="by the seller") else self.buyer
        self._attempt(
            "appeal",
            lambda: services.dispute_appeal(dispute=dispute, actor=party, statement="Again."),
        )

    def decide_appeal(self, dispute: Dispute, data) -> None:
        arbiter = self._holder(dispute, data.draw(st.integers(0, 1), label="arbiter"))
        uphold = data.draw(st.booleans(), label="uphold")
        amount = data.draw(st.none() | AMOUNTS, label="amount")
        decision = arbitration.Decision(
            outcome=data.draw(OUTCOMES), rationale="Final.", policy_clause="damaged", amount=amount
        )
        self._attempt(
            "decide appeal",
            lambda: arbitration.case_decide_appeal(
                dispute=dispute, arbiter=arbiter, uphold=uphold, decision=decision
            ),
        )

    def ship_return(self, dispute: Dispute, data) -> None:
        self._attempt(
            "ship the return",
            lambda: services.dispute_ship_return(
                dispute=dispute, actor=self.buyer, carrier="dhl", tracking_number="RET00000042"
            ),
        )

    def confirm_return(self, dispute: Dispute, data) -> None:
        self._attempt(
            "confirm the return",
            lambda: services.dispute_confirm_return(dispute=dispute, actor=self.seller),
        )

    def record_return_delivery(self, dispute: Dispute, data) -> None:
        self._attempt(
            "record the return's delivery",
            lambda: services.dispute_record_return_delivery(dispute=dispute, actor=self.seller),
        )

    def ship_replacement(self, dispute: Dispute, data) -> None:
        self._attempt(
            "ship the replacement",
            lambda: services.dispute_ship_replacement(
                dispute=dispute,
                actor=self.seller,
                carrier="dhl",
                tracking_number="NEW00000042",
                delivery_days=7,
            ),
        )

    def confirm_replacement(self, dispute: Dispute, data) -> None:
        self._attempt(
            "confirm the replacement",
            lambda: services.dispute_confirm_replacement(dispute=dispute, actor=self.buyer),
        )

    def request_evidence(self, dispute: Dispute, data) -> None:
        # The holder first, as for a ruling: taking a case is an act of its own, not part of
        # the request (inside the attempt, a take-next before a refusal read as a change).
        arbiter = self._holder(dispute, 0)
        party = data.draw(st.sampled_from([Party.SELLER, Party.BUYER]), label="from")
        hours = data.draw(st.sampled_from([2, 48, 200]), label="hours")
        # Taken before the attempt, as for a ruling: taking the next case is an act of its own
        # (it changes rows), not part of the request.
        arbiter = self._holder(dispute, 0)
        self._attempt(
            "request evidence",
            lambda: arbitration.case_request_evidence(
                dispute=dispute,
                arbiter=arbiter,
                party=party,
                request="A photo of the label?",
                hours=hours,
            ),
        )

    def message(self, dispute: Dispute, data) -> None:
        party = self.seller if data.draw(st.booleans(), label="from the seller") else self.buyer
        self._attempt(
            "message",
            lambda: services.dispute_post_message(dispute=dispute, actor=party, body="Here."),
        )

    def staff_changes_a_clock(self, dispute: Dispute, data) -> None:
        deadline = dispute.deadlines.filter(status__in=RUNNING_STATUSES).order_by("id").first()
        if deadline is None:
            return
        arbiter, reason = self.arbiters[0], "Carrier strike."
        change = data.draw(st.sampled_from(["extend", "pause", "resume"]), label="change")
        hours = data.draw(st.integers(1, 72), label="hours")
        acts = {
            "extend": lambda: deadline_extend(
                deadline=deadline, actor=arbiter, hours=hours, reason=reason
            ),
            "pause": lambda: deadline_pause(deadline=deadline, actor=arbiter, reason=reason),
            "resume": lambda: deadline_resume(deadline=deadline, actor=arbiter, reason=reason),
        }
        self._attempt(f"staff: {change}", acts[change])

    # What each state asks for next (an appealable ruling also asks for "appeal"), and what
    # else fits it now and then.
    NEXT = {
        DisputeState.AWAITING_SELLER: ["seller_answers", "seller_answers", "modify"],
        DisputeState.AWAITING_BUYER: ["buyer_answers", "buyer_answers", "modify"],
        DisputeState.ESCALATED: ["rule_on"],
        DisputeState.APPEALED: ["decide_appeal"],
        DisputeState.AWAITING_RETURN: ["ship_return"],
        DisputeState.RETURN_IN_TRANSIT: ["confirm_return", "record_return_delivery"],
        DisputeState.AWAITING_REPLACEMENT: ["ship_replacement"],
        DisputeState.REPLACEMENT_IN_TRANSIT: ["confirm_replacement"],
        DisputeState.RESOLVED: [],
        DisputeState.CANCELLED: [],
    }
    ASIDE = {
        DisputeState.AWAITING_SELLER: ["withdraw", "message"],
        DisputeState.AWAITING_BUYER: ["withdraw", "message"],
        DisputeState.ESCALATED: ["request_evidence", "withdraw", "message"],
        DisputeState.APPEALED: ["request_evidence", "message"],
        DisputeState.AWAITING_RETURN: ["message"],
        DisputeState.RETURN_IN_TRANSIT: ["message"],
        DisputeState.AWAITING_REPLACEMENT: ["withdraw", "message"],
        DisputeState.REPLACEMENT_IN_TRANSIT: ["message"],
        DisputeState.RESOLVED: [],
        DisputeState.CANCELLED: [],
    }
    ACTS = sorted({name for names in [*NEXT.values(), *ASIDE.values()] for name in names})
    ACTS += ["appeal", "staff_changes_a_clock"]

    def has_disputes(self) -> bool:
        return bool(self.disputes)

    def has_live_disputes(self) -> bool:
        return Dispute.objects.filter(
            Q(state__in=OPEN_STATES) | APPEALABLE, pk__in=self.disputes
        ).exists()

    @precondition(has_live_disputes)
    @rule(i=PICK, data=st.data())
    def case_moves_on(self, i, data):
        """Someone does what the case's state asks of them (or staff change a clock)."""
        dispute = self._dispute(i, Q(state__in=OPEN_STATES) | APPEALABLE)
        fitting = [*self.NEXT[dispute.state], *(["appeal"] if dispute.appeal_open else [])]
        if not fitting or data.draw(st.integers(0, 4), label="aside") == 0:
            fitting = [*self.ASIDE[dispute.state], "staff_changes_a_clock"]
        name = data.draw(st.sampled_from(fitting), label="act")
        getattr(self, name)(dispute, data)

    @precondition(has_live_disputes)
    @rule(i=PICK, data=st.data())
    def another_case_moves_on(self, i, data):
        """The same, again: longer cases are where the interesting endings are."""
        self.case_moves_on(i, data)

    @precondition(has_disputes)
    @rule(i=PICK, act=st.sampled_from(ACTS), data=st.data())
    def anyone_tries_anything(self, i, act, data):
        """Any act on any dispute: mostly at the wrong moment, and refused."""
        getattr(self, act)(self._dispute(i), data)

    def has_unassigned_cases(self) -> bool:
        cases = Dispute.objects.filter(pk__in=self.disputes, state__in=ARBITRATION_STATES)
        return cases.filter(assignee__isnull=True).exists()

    @precondition(has_unassigned_cases)
    @rule(a=st.integers(0, 1))
    def take_next(self, a):
        self._attempt("take next", lambda: arbitration.case_take_next(arbiter=self.arbiters[a]))

    def _openable(self) -> list[Order]:
        now = timezone.now()
        # Loaded with what the window reads (a precondition, asked before most steps).
        orders = (
            Order.objects.filter(pk__in=[o.pk for o in self.orders])
            .select_related("policy", "payment")
            .prefetch_related("disputes")
            .order_by("pk")
        )
        return [order for order in orders if opening_window(order, now).allowed]

    def may_open(self) -> bool:
        return bool(self._openable())

    @precondition(may_open)
    @rule(order=st.integers(0, 1), reason=REASONS, remedy=REMEDIES, amount=AMOUNTS)
    def open(self, order, reason, remedy, amount):
        """The buyer opens a dispute on an order whose window is open (the window's own
        refusals are tests/test_dispute_window.py's)."""
        openable = self._openable()
        chosen = openable[order % len(openable)]

        def act():
            dispute = services.dispute_open(
                order=Order.objects.get(pk=chosen.pk),
                actor=self.buyer,
                reason=reason,
                proposal=services.Proposal(remedy, amount),
                description="It went wrong.",
            )
            self.disputes.append(dispute.pk)

        self._attempt("open", act)

    def has_shipped_order(self) -> bool:
        return Order.objects.filter(
            pk__in=[o.pk for o in self.orders], state=OrderState.SHIPPED
        ).exists()

    @precondition(has_shipped_order)
    @rule()
    def confirm_receipt(self):
        order = Order.objects.get(pk=self.orders[0].pk)
        self._attempt(
            "confirm receipt",
            lambda: order_services.order_confirm_receipt(order=order, actor=self.buyer),
        )

    # --- The clock -----------------------------------------------------------------------------

    @rule(hours=HOURS)
    def time_passes(self, hours):
        self.clock.shift(timedelta(hours=hours))
        report = enforce_deadlines()
        assert report.failed == 0, f"the engine failed {report.failed} acts"
        for name, n in report.acted.items():
            _seen(f"engine: {name}")
            assert n > 0
        if report.skipped:
            _seen("engine: passed some by")

    # --- Invariants ----------------------------------------------------------------------------

    @invariant()
    def money(self) -> None:
        refunds = list(Refund.objects.exclude(status=RefundStatus.FAILED).select_related("dispute"))
        by_order: dict[int, Decimal] = {}
        for refund in refunds:
            by_order[refund.order_id] = by_order.get(refund.order_id, Decimal(0)) + refund.amount
            # Each refund names the dispute and the offer it pays: once per offer (the key is
            # unique in the table, so a second refund for the same offer cannot exist).
            assert refund.dispute is not None
            if refund.idempotency_key.endswith(":replacement-not-shipped"):
                # The replacement's refund names no offer: once per dispute, by its key.
                assert (
                    refund.idempotency_key == f"dispute:{refund.dispute_id}:replacement-not-shipped"
                )
                assert refund.dispute.outcome == Outcome.REPLACEMENT_NOT_SHIPPED
                continue
            offer = refund.dispute.offers.get(pk=int(refund.idempotency_key.rsplit(":", 1)[1]))
            assert refund.idempotency_key == f"dispute:{refund.dispute_id}:offer:{offer.pk}"
            assert refund.amount == offer.amount > 0, (refund.amount, offer.amount)
        for order_id, total in by_order.items():
            assert total <= PAID, f"order {order_id} refunded {total} of {PAID}"

    @invariant()
    def one_outcome(self) -> None:
        disputes = list(Dispute.objects.filter(pk__in=self.disputes))
        open_orders = [d.order_id for d in disputes if d.state in OPEN_STATES]
        assert len(open_orders) == len(set(open_orders)), "two open disputes on one order"
        refunded = dict(
            Refund.objects.exclude(status=RefundStatus.FAILED)
            .values("dispute")
            .annotate(s=Sum("amount"))
            .values_list("dispute", "s")
        )
        for d in disputes:
            ended = d.state in (DisputeState.RESOLVED, DisputeState.CANCELLED)
            # An appeal reopens a ruled case, which keeps the ruling's closing time.
            if d.state != DisputeState.APPEALED:
                assert ended == (d.closed_at is not None), (d.state, d.closed_at)
            if d.state == DisputeState.RESOLVED:
                assert d.outcome in Outcome.values, d.outcome
            if d.state == DisputeState.CANCELLED:
                assert d.outcome == "" and d.pk not in refunded
            if d.appealed_at is None and d.state == DisputeState.RESOLVED:
                # Money follows the outcome: refunded outcomes paid the agreed offer, others
                # paid nothing.
                paid = refunded.get(d.pk, Decimal(0))
                if d.outcome in REFUNDED:
                    assert d.agreed_offer is not None and paid == d.agreed_offer.amount
                elif d.outcome == Outcome.REPLACEMENT_NOT_SHIPPED:
                    assert 0 <= paid <= PAID  # what was still refundable, once
                else:
                    assert paid == 0, (d.outcome, paid)
            final = ended and (d.ruled_at is None or d.final_at is not None)
            if final:
                was = self.final.setdefault(d.pk, (d.state, d.outcome))
                assert was == (d.state, d.outcome), f"{d.reference} changed after it ended"
        for order in Order.objects.filter(pk__in=[o.pk for o in self.orders]):
            if order.state == OrderState.COMPLETED:
                holding = Dispute.objects.filter(HOLDS_PAYOUT, order=order)
                assert not holding.exists(), "seller paid while a dispute holds the payout"

    @invariant()
    def clocks_follow_the_state(self) -> None:
        running: dict[int, dict[str, Deadline]] = {pk: {} for pk in self.disputes}
        for deadline in Deadline.objects.filter(
            dispute__in=self.disputes, status__in=RUNNING_STATUSES
        ):
            kinds = running[deadline.dispute_id]
            assert deadline.kind not in kinds, f"two running {deadline.kind} clocks"
            kinds[deadline.kind] = deadline
        for dispute in Dispute.objects.filter(pk__in=self.disputes).select_related(
            "order", "policy"
        ):
            wanted = wanted_deadlines(dispute)
            have = {kind: d.base_due_at for kind, d in running[dispute.pk].items()}
            moot = {
                # Receipt confirmed on a delivery claim: the engine retires this clock when it
                # comes due (disputes.clocks.rules), by design; nothing else may linger.
                kind
                for kind, d in running[dispute.pk].items()
                if kind == DeadlineKind.GOODS_IN_TRANSIT
                and kind not in wanted
                and dispute.order.received_at is not None
                and d.status == DeadlineStatus.PENDING
            }
            have = {kind: due for kind, due in have.items() if kind not in moot}
            assert have == wanted, f"{dispute.reference} ({dispute.state}): {have} vs {wanted}"

    @invariant()
    def timelines_append_only(self) -> None:
        seen = set()
        for model in (DisputeEvent, OrderEvent):
            name = str(model._meta.model_name)
            rows = model.objects.values_list(
                "pk", "code", "from_state", "to_state", "data", "created_at", "actor"
            )
            for row in rows:
                key = (name, row[0])
                seen.add(key)
                assert row[1] in CATALOGUE, f"{row[1]} is not in the catalogue"
                assert self.events.setdefault(key, row[1:]) == row[1:], f"{key} was changed"
        assert set(self.events) <= seen, "a timeline event disappeared"


PHASES = list(Phase) if os.environ.get("PARLEY_SHRINK") else [p for p in Phase if p != Phase.shrink]
SEEN: Counter[str] = Counter()  # what the runs did, across all examples


def _seen(what: str) -> None:
    SEEN[what] += 1
    event(what)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """The engine queues one delivery task per run; nothing here needs a broker."""
    monkeypatch.setattr("notifications.services._queue_delivery", lambda: None)


@pytest.mark.timeout(600)
@pytest.mark.django_db
def test_dispute_machine():
    run_state_machine_as_test(
        DisputeMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            database=None,
            # Shrinking a failing run of 40 steps replays hundreds of them against the database
            # (minutes); the failure prints its steps either way. PARLEY_SHRINK=1 shrinks it.
            phases=PHASES,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(sorted(SEEN.items()))
