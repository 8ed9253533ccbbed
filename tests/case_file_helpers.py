"""A case that went the whole way, for the case file's tests: a claim with a photo, a rejection
with a counter-offer, messages with photos (one typed in Spanish), the clock's escalation at
the negotiation limit, a ruling that cites evidence, a settled refund, an appeal and its
decision by another arbiter."""

from datetime import timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone, translation

from accounts.models import User
from arbitration import services as arbitration
from disputes import services, settlement
from disputes.models import Dispute, Remedy
from tests.factories import ArbiterFactory, open_dispute, photo
from timers.engine import enforce_deadlines


def _decision(outcome, amount, *, cited=(), **extra):
    return arbitration.Decision(
        outcome=outcome,
        rationale="The photos show the crack.",
        policy_clause="damaged",
        amount=Decimal(amount) if amount else None,
        cited_evidence=tuple(cited),
        **extra,
    )


def _negotiate(dispute: Dispute, buyer, seller) -> None:
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("5"))
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="It left intact.", counter=counter
    )
    services.dispute_post_message(
        dispute=dispute, actor=buyer, body="Here is the box.", photos=[photo("box.jpg", "red")]
    )
    with translation.override("es"):
        services.dispute_post_message(dispute=dispute, actor=seller, body="Lo enviamos bien.")


def appealed_case(*, buyer, seller, arbiter) -> Dispute:
    """The case, decided on appeal (a full refund replacing a partial one), at the present."""
    start = timezone.now() - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
        _negotiate(dispute, buyer, seller)
    policy = dispute.policy
    at_limit = start + timedelta(days=policy.negotiation_days, minutes=5)
    with time_machine.travel(at_limit, tick=False):
        enforce_deadlines()  # the clock escalates the case
        arbitration.case_take_next(arbiter=arbiter)
        cited = [item.pk for item in dispute.evidence.all()]
        violation = {"seller_violation": True, "penalty_note": "Packed without padding."}
        arbitration.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=_decision("partial_refund", "10", cited=cited, **violation),
        )
        settlement.settle_pending(older_than_seconds=0)
        dispute.refresh_from_db()
        services.dispute_appeal(dispute=dispute, actor=buyer, statement="It is broken beyond use.")
        second: User = ArbiterFactory.create(username="abe")
        arbitration.case_take_next(arbiter=second)
        arbitration.case_decide_appeal(
            dispute=dispute,
            arbiter=second,
            uphold=False,
            decision=_decision("full_refund", "50", cited=cited[:1]),
        )
    dispute.refresh_from_db()
    return dispute
