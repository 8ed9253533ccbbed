"""Every state × every person: exactly the acts the policy allows are offered, and a service
call for any other act is refused without changing anything.

The parties' acts are checked against what `dispute_actions` offers; the staff acts (ruling,
appeal decision, evidence request, the queue, the clocks) against the STAFF table, which also
says whether a refusal is a StaleState (the case is past that point) or an ActionRefused (this
person may not do it at all)."""

import itertools
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.models import Ruling
from core.errors import ActionRefused, StaleState
from disputes import deadlines, selectors, services
from disputes.models import (
    ARBITRATION_STATES,
    RUNNING_STATUSES,
    DeadlineStatus,
    Dispute,
    DisputeState,
    Offer,
    Party,
    Remedy,
)
from policies.models import Policy
from tests.factories import ArbiterFactory, shipped_order
from tests.snapshots import changes, rolled_back, table_digests

pytestmark = pytest.mark.django_db

S = DisputeState
EXPECTED = {
    S.AWAITING_SELLER: {
        "buyer": {"buyer_modify", "buyer_cancel", "message"},
        "seller": {"seller_accept", "seller_reject", "message"},
    },
    S.AWAITING_BUYER: {
        "buyer": {
            "buyer_modify",
            "buyer_accept_offer",
            "buyer_escalate",
            "buyer_cancel",
            "message",
        },
        "seller": {"message"},
    },
    S.ESCALATED: {"buyer": {"buyer_cancel", "message"}, "seller": {"message"}, "arbiter": {"rule"}},
    S.APPEALED: {"buyer": {"message"}, "seller": {"message"}, "arbiter": {"decide_appeal"}},
    # Reached by agreement (no ruling): the buyer may still withdraw (policy: withdrawal).
    S.AWAITING_RETURN: {
        "buyer": {"buyer_ship_return", "buyer_cancel", "message"},
        "seller": {"message"},
    },
    # The seller (or staff) records the returned parcel's delivery, once.
    S.RETURN_IN_TRANSIT: {
        "buyer": {"buyer_cancel", "message"},
        "seller": {"seller_confirm_return", "record_return_delivery", "message"},
        "arbiter": {"record_return_delivery"},
    },
    S.AWAITING_REPLACEMENT: {
        "buyer": {"buyer_cancel", "message"},
        "seller": {"seller_ship_replacement", "message"},
    },
    S.REPLACEMENT_IN_TRANSIT: {
        "buyer": {"buyer_confirm_replacement", "buyer_cancel", "message"},
        "seller": {"message"},
    },
    S.RESOLVED: {},
    S.CANCELLED: {},
}
PEOPLE = ["buyer", "seller", "other_buyer", "other_seller", "arbiter"]

# --- Staff acts -------------------------------------------------------------------------------
# "arbiter" works the case (it is assigned to them while with arbitration); "lead" is another
# arbiter, a lead, who does not work it: in an appeal it is the lead whose ruling is appealed.
# The clock acts change the clock the state runs; in RESOLVED and CANCELLED none runs, so they
# aim at the one that stopped when the dispute got there. `take` finds the case unassigned,
# `resume` finds its clock paused.
#
# D done (the act happened)  S StaleState  R ActionRefused  N take-next found nothing to take
STAFF_ACTS = (
    "rule",
    "decide_appeal",
    "request_evidence",
    "take",
    "release",
    "reassign",
    "extend",
    "pause",
    "resume",
)
STAFF = {
    #                                   rule appeal evid take release reassign extend pause resume
    (S.AWAITING_SELLER, "arbiter"): "   S    S      S    N    S       R        D      D     D",
    (S.AWAITING_SELLER, "lead"): "      S    S      S    N    S       S        D      D     D",
    (S.AWAITING_BUYER, "arbiter"): "    S    S      S    N    S       R        D      D     D",
    (S.AWAITING_BUYER, "lead"): "       S    S      S    N    S       S        D      D     D",
    (S.ESCALATED, "arbiter"): "         D    S      D    D    D       R        D      D     D",
    (S.ESCALATED, "lead"): "            R    S      R    D    R       D        D      D     D",
    (S.APPEALED, "arbiter"): "          S    D      D    D    D       R        D      D     D",
    (S.APPEALED, "lead"): "             S    R      R    N    R       D        D      D     D",
    (S.AWAITING_RETURN, "arbiter"): "   S    S      S    N    S       R        D      D     D",
    (S.AWAITING_RETURN, "lead"): "      S    S      S    N    S       S        D      D     D",
    (S.RETURN_IN_TRANSIT, "arbiter"): " S    S      S    N    S       R        D      D     D",
    (S.RETURN_IN_TRANSIT, "lead"): "    S    S      S    N    S       S        D      D     D",
    (S.AWAITING_REPLACEMENT, "arbiter"): "S  S      S    N    S       R        D      D     D",
    (S.AWAITING_REPLACEMENT, "lead"): "   S    S      S    N    S       S        D      D     D",
    (S.REPLACEMENT_IN_TRANSIT, "arbiter"): "S S      S    N    S       R        D      D     D",
    (S.REPLACEMENT_IN_TRANSIT, "lead"): " S    S      S    N    S       S        D      D     D",
    (S.RESOLVED, "arbiter"): "          S    S      S    N    S       R        S      S     S",
    (S.RESOLVED, "lead"): "             S    S      S    N    S       S        S      S     S",
    (S.CANCELLED, "arbiter"): "         S    S      S    N    S       R        S      S     S",
    (S.CANCELLED, "lead"): "            S    S      S    N    S       S        S      S     S",
}
# The buyer, the seller and an outsider are not staff: every staff act, in every state.
NOT_STAFF = "R R R R R R R R R"
STAFF_PEOPLE = ["buyer", "seller", "arbiter", "lead", "outsider"]
OUTCOMES = {"D": "done", "S": "StaleState", "R": "ActionRefused", "N": "nothing to take"}


def _expected_staff(state) -> dict[tuple[str, str], str]:
    expected = {}
    for who in STAFF_PEOPLE:
        codes = STAFF.get((state, who), NOT_STAFF).split()
        expected.update({(who, act): OUTCOMES[c] for act, c in zip(STAFF_ACTS, codes, strict=True)})
    return expected


@pytest.fixture
def cast(buyer, seller, other_buyer, other_seller, arbiter):
    return SimpleNamespace(
        buyer=buyer,
        seller=seller,
        other_buyer=other_buyer,
        other_seller=other_seller,
        outsider=other_buyer,
        arbiter=arbiter,
        lead=ArbiterFactory(username="lee", is_lead_arbiter=True),
        spare=ArbiterFactory(username="sam"),  # whom the lead reassigns the case to
    )


_references = itertools.count()


def _dispute_in(state, cast, *, taken=True, clock_paused=False) -> Dispute:
    """A dispute in `state` with the clocks that state runs, as the services leave them.

    Factories may start a dispute in any state: it is opened waiting for the seller (so its
    clocks start), then moved to `state` with the fields that state implies, and the clocks are
    brought in line. With arbitration, it has an open evidence request (so a clock runs) and is
    assigned to the arbiter unless `taken=False`; an appeal has a first ruling by the lead.
    """
    order = shipped_order(buyer=cast.buyer, seller=cast.seller)
    now = timezone.now()
    dispute = Dispute.objects.create(
        reference=f"DS-M{next(_references):07d}",
        order=order,
        store_id=order.store_id,
        policy=Policy.current(),
        reason="damaged",
        description="x",
        opened_at=now,
        seller_clock_started_at=now,
        target_at=now,
        agreed_at=now,
        return_shipped_at=now,
        replacement_shipped_at=now,
    )
    for party, author in ((Party.BUYER, cast.buyer), (Party.SELLER, cast.seller)):
        Offer.objects.create(
            dispute=dispute,
            party=party,
            author=author,
            remedy=Remedy.RETURN_AND_REFUND,
            amount=Decimal("10.00"),
            currency="USD",
            created_at=now,
        )
    dispute.agreed_offer = dispute.offers.first()
    dispute.save()
    deadlines.sync_deadlines(dispute, now)
    moved = {"state": state}
    if state in ARBITRATION_STATES:
        moved |= {
            "escalated_at": now,
            "evidence_requested_from": Party.SELLER,
            "evidence_due_at": now + timedelta(days=2),
            "assignee": cast.arbiter if taken else None,
            "assigned_at": now if taken else None,
        }
    if state == S.APPEALED:
        Ruling.objects.create(
            dispute=dispute,
            arbiter=cast.lead,
            outcome="return_then_refund",
            remedy_offer=dispute.agreed_offer,
            rationale="First ruling.",
            policy_clause="damaged",
            created_at=now,
        )
        moved |= {"ruled_at": now, "appealed_at": now, "appealed_by": cast.seller}
    Dispute.objects.filter(pk=dispute.pk).update(**moved)
    dispute = Dispute.objects.get(pk=dispute.pk)
    deadlines.sync_deadlines(dispute, now)
    clock = _clock(dispute)
    if clock_paused and clock.status == DeadlineStatus.PENDING:
        clock.remaining, clock.due_at = clock.due_at - now, None
        clock.status, clock.next_reminder_at = DeadlineStatus.PAUSED, None
        clock.save()
    return dispute


def _clock(dispute):
    """The clock a staff page offers: the newest running one, else the last that stopped."""
    clocks = dispute.deadlines.order_by("-pk")
    return clocks.filter(status__in=RUNNING_STATUSES).first() or clocks.first()


def test_every_state_is_in_the_tables():
    assert set(EXPECTED) == set(DisputeState.values)
    assert {state for state, _ in STAFF} == set(DisputeState.values)


@pytest.mark.parametrize("state", list(DisputeState))
def test_acts_offered_per_state_and_person(state, cast):
    dispute = _dispute_in(state, cast)
    for who in PEOPLE:
        offered = selectors.dispute_actions(dispute, getattr(cast, who))
        assert offered == EXPECTED[state].get(who, set()), (state, who)


def _calls(dispute, actor):
    offer_id = selectors.current_offer(dispute, Party.SELLER).pk
    return {
        "seller_accept": lambda: services.dispute_seller_accept(dispute=dispute, actor=actor),
        "seller_reject": lambda: services.dispute_seller_reject(
            dispute=dispute, actor=actor, explanation="x"
        ),
        "buyer_modify": lambda: services.dispute_modify(
            dispute=dispute, actor=actor, proposal=services.Proposal(Remedy.REPLACEMENT)
        ),
        "buyer_accept_offer": lambda: services.dispute_accept_offer(
            dispute=dispute, actor=actor, offer_id=offer_id
        ),
        "buyer_escalate": lambda: services.dispute_escalate_by_buyer(dispute=dispute, actor=actor),
        "buyer_cancel": lambda: services.dispute_cancel(dispute=dispute, actor=actor),
        "buyer_ship_return": lambda: services.dispute_ship_return(
            dispute=dispute, actor=actor, carrier="dhl", tracking_number="RET00000001"
        ),
        "seller_confirm_return": lambda: services.dispute_confirm_return(
            dispute=dispute, actor=actor
        ),
        "record_return_delivery": lambda: services.dispute_record_return_delivery(
            dispute=dispute, actor=actor
        ),
        "seller_ship_replacement": lambda: services.dispute_ship_replacement(
            dispute=dispute,
            actor=actor,
            carrier="dhl",
            tracking_number="NEW00000001",
            delivery_days=5,
        ),
        "buyer_confirm_replacement": lambda: services.dispute_confirm_replacement(
            dispute=dispute, actor=actor
        ),
        "message": lambda: services.dispute_post_message(dispute=dispute, actor=actor, body="hi"),
        "appeal": lambda: services.dispute_appeal(dispute=dispute, actor=actor, statement="x"),
    }


@pytest.mark.parametrize("state", list(DisputeState))
@pytest.mark.parametrize("who", ["buyer", "seller", "other_buyer"])
def test_every_act_not_offered_is_refused(state, who, cast):
    dispute = _dispute_in(state, cast)
    person = getattr(cast, who)
    allowed = EXPECTED[state].get(who, set())
    before = table_digests()  # every refusal must leave every table as it was made
    for act, call in _calls(dispute, person).items():
        if act in allowed:
            continue
        with pytest.raises(ActionRefused):
            call()
        assert changes(before, table_digests()) == [], (act, who)


def _staff_calls(dispute, person, cast):
    clock = _clock(dispute)
    return {
        "rule": lambda: arbitration.case_rule(
            dispute=dispute,
            arbiter=person,
            decision=arbitration.Decision(
                outcome="partial_refund",
                rationale="The photos show the crack.",
                policy_clause="damaged",
                amount=Decimal("5.00"),
            ),
        ),
        "decide_appeal": lambda: arbitration.case_decide_appeal(
            dispute=dispute,
            arbiter=person,
            uphold=True,
            decision=arbitration.Decision(outcome="", rationale="Stands.", policy_clause="damaged"),
        ),
        "request_evidence": lambda: arbitration.case_request_evidence(
            dispute=dispute, arbiter=person, party=Party.BUYER, request="The box?", hours=24
        ),
        "take": lambda: arbitration.case_take_next(arbiter=person),
        "release": lambda: arbitration.case_release(dispute=dispute, arbiter=person),
        "reassign": lambda: arbitration.case_reassign(dispute=dispute, lead=person, to=cast.spare),
        "extend": lambda: deadlines.deadline_extend(
            deadline=clock, actor=person, hours=24, reason="Carrier strike."
        ),
        "pause": lambda: deadlines.deadline_pause(
            deadline=clock, actor=person, reason="Asking the carrier."
        ),
        "resume": lambda: deadlines.deadline_resume(
            deadline=clock, actor=person, reason="The carrier answered."
        ),
    }


def _happened(act, before, dispute, person, cast, returned) -> bool:
    """Whether the act did what it is for, read back from the database."""
    dispute = Dispute.objects.get(pk=dispute.pk)
    clock = dispute.deadlines.get(pk=before.pk) if before else None
    return {
        "rule": lambda: (
            dispute.state == S.RESOLVED
            and dispute.rulings.filter(arbiter=person, on_appeal=False).exists()
        ),
        "decide_appeal": lambda: (
            dispute.final_at is not None
            and dispute.rulings.filter(arbiter=person, on_appeal=True, upheld=True).exists()
        ),
        "request_evidence": lambda: dispute.evidence_requested_from == Party.BUYER,
        "take": lambda: returned == dispute and dispute.assignee == person,
        "release": lambda: dispute.assignee is None,
        "reassign": lambda: dispute.assignee == cast.spare,
        "extend": lambda: clock is not None and clock.due_at == before.due_at + timedelta(hours=24),
        "pause": lambda: (
            clock is not None and clock.status == DeadlineStatus.PAUSED and clock.due_at is None
        ),
        "resume": lambda: (
            clock is not None
            and clock.status == DeadlineStatus.PENDING
            and clock.due_at is not None
        ),
    }[act]()


def _staff_outcome(dispute, before, who, act, cast) -> str:
    person = getattr(cast, who)
    clock = _clock(dispute)
    try:
        returned = _staff_calls(dispute, person, cast)[act]()
    except StaleState:
        outcome = "StaleState"
    except ActionRefused:
        outcome = "ActionRefused"
    else:
        if act == "take" and returned is None:
            outcome = "nothing to take"
        elif _happened(act, clock, dispute, person, cast, returned):
            return "done"
        else:
            return "returned, but did not happen"
    changed = changes(before, table_digests())
    return f"{outcome}, yet changed {changed}" if changed else outcome


@pytest.mark.parametrize("state", list(DisputeState))
def test_staff_acts_per_state_and_person(state, cast):
    # One case per set-up; each act runs on it and is then rolled back.
    cases = {
        "take": _dispute_in(state, cast, taken=False),
        "resume": _dispute_in(state, cast, clock_paused=True),
        "other acts": _dispute_in(state, cast),
    }
    before = table_digests()  # every table, as the three cases left it
    seen = {}
    for who, act in itertools.product(STAFF_PEOPLE, STAFF_ACTS):
        name = act if act in cases else "other acts"
        with rolled_back():
            seen[who, act] = _staff_outcome(cases[name], before, who, act, cast)
    assert seen == _expected_staff(state)
