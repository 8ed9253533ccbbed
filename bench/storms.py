"""Randomised concurrent storms on disputes (not a test: `python -m bench.storms --storms 1000`).

Each storm builds one to three cases, each in a state where people and the clock compete (its
deadline fell due a second ago, or is due at the very moment someone acts), then releases at
once, from a start barrier, a random handful of the acts that state allows (seller accepts or
rejects, buyer withdraws, changes the claim, accepts the counter-offer or escalates; arbiter
rules or decides the appeal; either party appeals at the last moment; the buyer ships the
return, the seller confirms it, twice; a delivery claim against automatic receipt; a claim
filed at the end of protection) with one or two engine runs (`enforce_deadlines`), each after
a random jitter of a few milliseconds. When all are done, one more engine run (the next tick),
then the invariants (bench/harness.py: money, one outcome, clocks, timeline chains, payout,
receipt) and these:
  - every act that returned is on its dispute's timeline exactly once, by its actor;
  - no act raised anything but a refusal (ActionRefused, StaleState), and no engine run
    failed an act.
Violations are counted; the target is 0 in 1,000 storms.

Its own database (<DATABASE_URL's name>_bench_storms) and Redis database (bench/harness.py).
"""

import argparse
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench import harness

TARGET = harness.configure("storms")

SECOND = timedelta(seconds=1)


@dataclass
class Case:
    scenario: str
    order: Any
    dispute: Any = None
    due: datetime | None = None  # the moment an act "at the last moment" is dated


@dataclass
class Act:
    name: str
    run: Callable[[], object]
    actor: Any = None  # None: the engine
    code: str = ""  # the timeline code a successful act records
    case: Case | None = None


# --- Scenarios: a case whose clock and people compete -------------------------------------------


def _services():
    from arbitration import services as arbitration
    from disputes import services

    return services, arbitration


def _open(people, order, at, remedy="partial_refund", amount="20", reason="wrong_item"):
    services, _ = _services()
    return services.dispute_open(
        order=order,
        actor=people.buyer,
        reason=reason,
        proposal=services.Proposal(remedy, Decimal(amount) if amount else None),
        description="Not what I ordered.",
        now=at,
    )


def _rejected(people, order, at):
    services, _ = _services()
    dispute = _open(people, order, at)
    counter = services.Proposal("partial_refund", Decimal("10"))
    services.dispute_seller_reject(
        dispute=dispute, actor=people.seller, explanation="No.", counter=counter, now=at
    )
    return dispute


def _with_arbiter(people, order, at, arbiter=0):
    services, arbitration = _services()
    dispute = _rejected(people, order, at)
    services.dispute_escalate_by_buyer(dispute=dispute, actor=people.buyer, now=at + SECOND)
    arbitration.case_reassign(
        dispute=dispute, lead=people.lead, to=people.arbiters[arbiter], now=at + 2 * SECOND
    )
    return dispute


def _ruled(people, order, at, rng):
    _, arbitration = _services()
    dispute = _with_arbiter(people, order, at - timedelta(days=2))
    outcome = rng.choice(["partial_refund", "full_refund", "return_then_refund", "claim_rejected"])
    decision = arbitration.Decision(
        outcome=outcome,
        rationale="As the photos show.",
        policy_clause="damaged",
        amount=Decimal("15") if outcome == "partial_refund" else None,
    )
    arbitration.case_rule(dispute=dispute, arbiter=people.arbiters[0], decision=decision, now=at)
    return dispute


def _decision(rng, final=False):
    _, arbitration = _services()
    outcome = rng.choice(["partial_refund", "full_refund", "claim_rejected"])
    return arbitration.Decision(
        outcome=outcome,
        rationale="Final." if final else "Decided.",
        policy_clause="damaged",
        amount=Decimal(rng.choice(["5", "25", "45"])) if outcome == "partial_refund" else None,
    )


def setup_awaiting_seller(people, now, rng):
    """The seller's answer fell due a second ago."""
    order = harness.order(people, now)
    return Case("seller silence", order, _open(people, order, now - timedelta(days=5) - SECOND))


def setup_awaiting_buyer(people, now, rng):
    """A counter-offer on the table; the negotiation limit fell due a second ago."""
    order = harness.order(people, now)
    return Case(
        "negotiation limit", order, _rejected(people, order, now - timedelta(days=15) - SECOND)
    )


def setup_ruled(people, now, rng):
    """A ruling whose appeal window ends right now."""
    order = harness.order(people, now)
    dispute = _ruled(people, order, now - timedelta(days=7), rng)
    return Case("appeal window", order, dispute, due=now)


def setup_return_not_shipped(people, now, rng):
    """A return agreed; the buyer's time to ship it fell due a second ago."""
    services, _ = _services()
    order = harness.order(people, now)
    at = now - timedelta(days=10) - SECOND
    dispute = _open(people, order, at - timedelta(days=1), remedy="return_and_refund", amount=None)
    services.dispute_seller_accept(dispute=dispute, actor=people.seller, now=at)
    return Case("return not shipped", order, dispute)


def setup_return_in_transit(people, now, rng):
    """A return on its way; the seller's time to confirm it fell due a second ago."""
    services, _ = _services()
    order = harness.order(people, now)
    shipped = now - timedelta(days=20) - SECOND  # delivery 10 days + 10 days to confirm
    dispute = _open(
        people, order, shipped - timedelta(days=3), remedy="return_and_refund", amount="30"
    )
    services.dispute_seller_accept(
        dispute=dispute, actor=people.seller, now=shipped - timedelta(days=2)
    )
    services.dispute_ship_return(
        dispute=dispute,
        actor=people.buyer,
        carrier="dhl",
        tracking_number="RET00000042",
        now=shipped,
    )
    return Case("return receipt", order, dispute)


def setup_evidence_overdue(people, now, rng):
    """With an arbiter, who asked the buyer for evidence due a second ago."""
    _, arbitration = _services()
    order = harness.order(people, now)
    dispute = _with_arbiter(people, order, now - timedelta(days=3))
    arbitration.case_request_evidence(
        dispute=dispute,
        arbiter=people.arbiters[0],
        party="buyer",
        request="The label, please.",
        hours=2,
        now=now - timedelta(hours=2) - SECOND,
    )
    return Case("evidence overdue", order, dispute)


def setup_appealed(people, now, rng):
    """Appealed, with the second arbiter, who asked the seller for evidence due a second ago."""
    services, arbitration = _services()
    order = harness.order(people, now)
    dispute = _ruled(people, order, now - timedelta(days=3), rng)
    services.dispute_appeal(
        dispute=dispute, actor=people.seller, statement="Look again.", now=now - timedelta(days=2)
    )
    at = now - timedelta(hours=1) - SECOND
    arbitration.case_reassign(dispute=dispute, lead=people.lead, to=people.arbiters[1], now=at)
    arbitration.case_request_evidence(
        dispute=dispute,
        arbiter=people.arbiters[1],
        party="seller",
        request="The invoice?",
        hours=1,
        now=at,
    )
    return Case("appeal decision", order, dispute)


def setup_receipt_due(people, now, rng):
    """Shipped, the delivery limit passed 20 days ago: automatic receipt (then the end of
    protection) against a "not received" claim."""
    from orders.models import OrderState

    order = harness.order(
        people,
        now,
        state=OrderState.SHIPPED,
        all_shipped_at=now - timedelta(days=30),
        promised_delivery_at=now - timedelta(days=20),
        received_at=None,
        protection_ends_at=None,
    )
    return Case("automatic receipt", order)


def setup_protection_ending(people, now, rng):
    """Received; protection ends right now: the payout against a claim filed at that moment."""
    order = harness.order(people, now, protection_ends_at=now)
    return Case("end of protection", order, due=now)


def acts_for(case: Case, people, rng) -> list[Act]:
    """Every act that competes in this case's state; the storm picks some."""
    from disputes.events import people as codes
    from disputes.models import Party, Reason
    from orders.events import RECEIVED

    services, arbitration = _services()
    d, o = case.dispute, case.order
    buyer, seller = people.buyer, people.seller

    def current(party):
        return lambda: (
            d.offers.filter(party=party, superseded_by__isnull=True).order_by("-id").first()
        )

    def accept():
        offer = current(Party.BUYER)()
        return services.dispute_seller_accept(dispute=d, actor=seller, offer_id=offer.pk)

    def accept_counter():
        offer = current(Party.SELLER)()
        return services.dispute_accept_offer(
            dispute=d, actor=buyer, offer_id=offer.pk if offer else 0
        )

    def modify():
        remedy = rng.choice(["full_refund", "partial_refund", "replacement"])
        proposal = services.Proposal(remedy, Decimal(rng.choice(["5", "25", "50"])))
        return services.dispute_modify(dispute=d, actor=buyer, proposal=proposal)

    def message(who):
        return lambda: services.dispute_post_message(dispute=d, actor=who, body="Here it is.")

    def file_claim(reason, at=None):
        return lambda: _open(people, o, at, reason=reason)

    table = {
        "seller silence": [
            Act("seller accepts", accept, seller, codes.SELLER_ACCEPTED.code),
            Act(
                "seller rejects",
                lambda: services.dispute_seller_reject(
                    dispute=d,
                    actor=seller,
                    explanation="No.",
                    counter=services.Proposal("partial_refund", Decimal("10")),
                ),
                seller,
                codes.SELLER_REJECTED.code,
            ),
            Act(
                "buyer withdraws",
                lambda: services.dispute_cancel(dispute=d, actor=buyer),
                buyer,
                codes.CANCELLED.code,
            ),
            Act("buyer changes the claim", modify, buyer, codes.MODIFIED.code),
        ],
        "negotiation limit": [
            Act(
                "buyer accepts the counter-offer", accept_counter, buyer, codes.OFFER_ACCEPTED.code
            ),
            Act(
                "buyer escalates",
                lambda: services.dispute_escalate_by_buyer(dispute=d, actor=buyer),
                buyer,
                codes.ESCALATED.code,
            ),
            Act(
                "buyer withdraws",
                lambda: services.dispute_cancel(dispute=d, actor=buyer),
                buyer,
                codes.CANCELLED.code,
            ),
            Act("buyer changes the claim", modify, buyer, codes.MODIFIED.code),
        ],
        "appeal window": [
            Act(
                "buyer appeals at the last moment",
                lambda: services.dispute_appeal(
                    dispute=d, actor=buyer, statement="No.", now=case.due
                ),
                buyer,
                codes.APPEALED.code,
            ),
            Act(
                "seller appeals at the last moment",
                lambda: services.dispute_appeal(
                    dispute=d, actor=seller, statement="No.", now=case.due
                ),
                seller,
                codes.APPEALED.code,
            ),
        ],
        "return not shipped": [
            Act(
                "buyer ships the return",
                lambda: services.dispute_ship_return(
                    dispute=d, actor=buyer, carrier="dhl", tracking_number="RET00000043"
                ),
                buyer,
                codes.RETURN_SHIPPED.code,
            ),
            Act("buyer writes", message(buyer), buyer, codes.MESSAGE_POSTED.code),
        ],
        "return receipt": [
            Act(
                "seller confirms the return",
                lambda: services.dispute_confirm_return(dispute=d, actor=seller),
                seller,
                codes.RETURN_RECEIVED.code,
            ),
            Act(
                "seller confirms it again (double click)",
                lambda: services.dispute_confirm_return(dispute=d, actor=seller),
                seller,
                codes.RETURN_RECEIVED.code,
            ),
            Act("seller writes", message(seller), seller, codes.MESSAGE_POSTED.code),
        ],
        "evidence overdue": [
            Act(
                "arbiter rules",
                lambda: arbitration.case_rule(
                    dispute=d, arbiter=people.arbiters[0], decision=_decision(rng)
                ),
                people.arbiters[0],
                codes.RULED.code,
            ),
            Act(
                "buyer withdraws",
                lambda: services.dispute_cancel(dispute=d, actor=buyer),
                buyer,
                codes.CANCELLED.code,
            ),
            Act("buyer answers", message(buyer), buyer, codes.MESSAGE_POSTED.code),
        ],
        "appeal decision": [
            Act(
                "arbiter decides the appeal",
                lambda: arbitration.case_decide_appeal(
                    dispute=d,
                    arbiter=people.arbiters[1],
                    uphold=rng.random() < 0.5,
                    decision=_decision(rng, True),
                ),
                people.arbiters[1],
                codes.APPEAL_DECIDED.code,
            ),
            Act(
                "arbiter decides it again (double click)",
                lambda: arbitration.case_decide_appeal(
                    dispute=d,
                    arbiter=people.arbiters[1],
                    uphold=rng.random() < 0.5,
                    decision=_decision(rng, True),
                ),
                people.arbiters[1],
                codes.APPEAL_DECIDED.code,
            ),
            Act("seller answers", message(seller), seller, codes.MESSAGE_POSTED.code),
        ],
        "automatic receipt": [
            Act(
                "buyer files not received",
                file_claim(Reason.NOT_RECEIVED),
                buyer,
                codes.OPENED.code,
            ),
            Act(
                "buyer confirms receipt",
                lambda: _confirm_receipt(o, buyer),
                buyer,
                RECEIVED.code,
            ),
        ],
        "end of protection": [
            Act(
                "buyer files at the last moment",
                file_claim(Reason.WRONG_ITEM, at=case.due),
                buyer,
                codes.OPENED.code,
            ),
        ],
    }
    acts = table[case.scenario]
    for act in acts:
        act.case = case
    return acts


def _confirm_receipt(order, buyer):
    from orders import services as order_services

    return order_services.order_confirm_receipt(order=order, actor=buyer)


SETUPS = [
    setup_awaiting_seller,
    setup_awaiting_buyer,
    setup_ruled,
    setup_return_not_shipped,
    setup_return_in_transit,
    setup_evidence_overdue,
    setup_appealed,
    setup_receipt_due,
    setup_protection_ending,
]


# --- One storm ------------------------------------------------------------------------------------


@dataclass
class Tally:
    storms: int = 0
    won: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    engine_acts: Counter = field(default_factory=Counter)  # by rule, during the storms
    next_tick_acts: Counter = field(default_factory=Counter)  # by rule, at the next tick
    by_scenario: Counter = field(default_factory=Counter)
    violations_by_scenario: Counter = field(default_factory=Counter)
    findings: harness.Findings = field(default_factory=harness.Findings)


def _attempt(act: Act, barrier: threading.Barrier, jitter: float):
    from core.errors import ActionRefused

    try:
        barrier.wait(timeout=60)
        time.sleep(jitter)
        return "won", act.run()
    except ActionRefused as refused:
        return "refused", refused.message
    except Exception as exc:  # counted as a violation by the caller
        return "error", f"{type(exc).__name__}: {exc}"[:300]


def _engine():
    from timers.engine import enforce_deadlines

    return enforce_deadlines()


def storm(pool: ThreadPoolExecutor, people, rng: random.Random, tally: Tally) -> int:
    from django.db import transaction
    from django.utils import timezone

    from disputes.models import DisputeEvent
    from orders.models import OrderEvent

    now = timezone.now()
    with transaction.atomic():
        cases = [setup(people, now, rng) for setup in rng.sample(SETUPS, rng.randint(1, 3))]
    acts: list[Act] = []
    for case in cases:
        choices = acts_for(case, people, rng)
        acts += rng.sample(choices, rng.randint(1, len(choices)))
    engines = [Act("engine", _engine) for _ in range(rng.randint(1, 2))]
    everyone = acts + engines
    rng.shuffle(everyone)
    barrier = threading.Barrier(len(everyone))
    # Who starts first is drawn per storm: the engine, the people, or all within the same few
    # milliseconds.
    lead = rng.choice(["engine", "people", "together"])

    def jitter(act: Act) -> float:
        engine = act.actor is None
        late = (lead == "engine" and not engine) or (lead == "people" and engine)
        if not late:
            return rng.uniform(0, 0.005)
        # The engine plans (four reads) before it claims: people wait longer to let it lock.
        return rng.uniform(0.01, 0.08) if lead == "engine" else rng.uniform(0.005, 0.03)

    futures = [pool.submit(_attempt, act, barrier, jitter(act)) for act in everyone]
    results = [future.result(timeout=120) for future in futures]
    next_tick = _engine()  # the next beat, after the storm
    tally.next_tick_acts.update(next_tick.acted)

    findings = harness.Findings()
    won: dict[tuple[tuple[str, int], str, int], int] = defaultdict(int)  # by subject, code, actor
    for act, (outcome, detail) in zip(everyone, results, strict=True):
        if act.actor is None:
            if outcome != "won" or detail.failed:
                findings.add("engine run failed", str(detail))
            else:
                tally.engine_acts.update(detail.acted)
            continue
        getattr(tally, {"won": "won", "refused": "refused", "error": "errors"}[outcome])[
            act.name
        ] += 1
        if outcome == "error":
            findings.add("act raised", f"{act.name}: {detail}")
        elif outcome == "won":
            won[(_subject(act, detail), act.code, act.actor.pk)] += 1
    if next_tick.failed:
        findings.add("engine run failed", "the next tick")

    # Every act that returned is on the record once, by its actor.
    order_ids = [case.order.pk for case in cases]
    for (key, code, actor), n in won.items():
        kind, pk = key
        model, field_name = (OrderEvent, "order") if kind == "order" else (DisputeEvent, "dispute")
        recorded = model.objects.filter(
            **{f"{field_name}_id": pk}, code=code, actor_id=actor
        ).count()
        if recorded != n:
            findings.add("act not on the record once", f"{code}: {n} won, {recorded} recorded")
    findings.merge(harness.check_invariants(order_ids))

    tally.storms += 1
    for case in cases:
        tally.by_scenario[case.scenario] += 1
        if findings.total:
            tally.violations_by_scenario[case.scenario] += findings.total
    tally.findings.merge(findings)
    return findings.total


def _subject(act: Act, result: Any) -> tuple[str, int]:
    """Whose timeline the act's event is on: its order's, its dispute's, or the new dispute's."""
    assert act.case is not None
    if act.code.startswith("orders."):
        return ("order", act.case.order.pk)
    if act.case.dispute is None:  # a claim filed: the dispute it opened
        return ("dispute", result.pk)
    return ("dispute", act.case.dispute.pk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storms", type=int, default=100)
    parser.add_argument(
        "--seed", type=int, default=None, help="repeat a run exactly (acts' order aside)"
    )
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)

    harness.recreate_database(TARGET)
    harness.setup_django(migrate=True)
    from django.db import connection

    people = harness.cast()
    connection.close()
    tally = Tally()
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=16) as pool:
        for n in range(1, args.storms + 1):
            storm(pool, people, rng, tally)
            if n % 100 == 0:
                print(
                    f"  {n} storms, {tally.findings.total} violations, {time.perf_counter() - began:.0f} s",
                    flush=True,
                )
    elapsed = time.perf_counter() - began
    harness.flush_redis(TARGET)
    report(tally, elapsed, seed)


def report(tally: Tally, elapsed: float, seed: int) -> None:
    print(f"\nstorms: {tally.storms} in {elapsed:.0f} s (seed {seed})")
    print("| engine rule | acts during the storms | at the next tick |\n|---|---|---|")
    for rule in sorted(set(tally.engine_acts) | set(tally.next_tick_acts)):
        print(f"| {rule} | {tally.engine_acts[rule]} | {tally.next_tick_acts[rule]} |")
    print()
    print("| scenario | storms with it | violations |\n|---|---|---|")
    for scenario, n in sorted(tally.by_scenario.items()):
        print(f"| {scenario} | {n} | {tally.violations_by_scenario[scenario]} |")
    print("\n| act | won | refused | raised |\n|---|---|---|---|")
    for name in sorted(set(tally.won) | set(tally.refused) | set(tally.errors)):
        print(f"| {name} | {tally.won[name]} | {tally.refused[name]} | {tally.errors[name]} |")
    print(f"\ninvariant violations: {tally.findings.total} (target 0 in 1,000 storms)")
    for kind, n in sorted(tally.findings.counts.items()):
        print(f"  {kind}: {n}; e.g. {tally.findings.examples[kind]}")


if __name__ == "__main__":
    main()
