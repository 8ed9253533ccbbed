"""An appeal decided by replacing the ruling can put the case back on a return or a replacement
path: then it is open again until that is carried out; and what already arrived is not asked
for twice (found by tests/test_dispute_machine.py, seeds 4 and 5)."""

from decimal import Decimal

import pytest
import time_machine
from django.http import QueryDict
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.confirmations import appeal_decision
from arbitration.models import RulingOutcome
from core.errors import ActionRefused
from core.money import Money
from disputes import ledger, services
from disputes.models import DisputeState, Outcome, Refund
from tests.factories import ArbiterFactory, ruled_dispute

pytestmark = pytest.mark.django_db


def _replace_on_appeal(dispute, appellant, outcome, amount=None):
    services.dispute_appeal(dispute=dispute, actor=appellant, statement="Look again.")
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(
        dispute=dispute,
        arbiter=other,
        uphold=False,
        decision=arbitration.Decision(
            outcome=outcome,
            rationale="Replaced.",
            policy_clause="damaged",
            amount=Decimal(amount) if amount else None,
        ),
    )
    dispute.refresh_from_db()
    return dispute


def _refunds(dispute):
    return sorted(r.amount for r in Refund.objects.filter(dispute=dispute))


def test_a_closed_case_sent_back_to_a_return_on_appeal_is_open_until_the_return_is_done(
    buyer, seller, arbiter
):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter, amount="20")
    assert dispute.state == DisputeState.RESOLVED and dispute.closed_at is not None

    dispute = _replace_on_appeal(dispute, buyer, RulingOutcome.RETURN_THEN_REFUND)

    assert dispute.state == DisputeState.AWAITING_RETURN
    assert dispute.closed_at is None  # open again: the buyer has a return to ship
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000011"
    )
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        services.dispute_confirm_return(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED and dispute.closed_at == now
    assert dispute.outcome == Outcome.REFUNDED
    assert _refunds(dispute) == [Decimal("20.00"), Decimal("30.00")]


def test_a_return_already_received_is_not_asked_for_again_on_appeal(buyer, seller, arbiter):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="return_then_refund", amount="10"
    )
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000012"
    )
    services.dispute_confirm_return(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED and _refunds(dispute) == [Decimal("10.00")]

    now = timezone.now()
    with time_machine.travel(now, tick=False):
        dispute = _replace_on_appeal(dispute, buyer, RulingOutcome.RETURN_THEN_REFUND)
    # The seller has the item back: the rest of the refund is paid at once, and the case ends,
    # instead of waiting for the seller to confirm the same parcel a second time.
    assert dispute.state == DisputeState.RESOLVED and dispute.closed_at == now
    assert dispute.outcome == Outcome.REFUNDED and dispute.final_at is not None
    assert _refunds(dispute) == [Decimal("10.00"), Decimal("40.00")]


def test_a_replacement_already_received_is_not_sent_again_on_appeal(buyer, seller, arbiter):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="replacement", amount=None
    )
    services.dispute_ship_replacement(
        dispute=dispute,
        actor=seller,
        carrier="dhl",
        tracking_number="NEW0000013",
        delivery_days=7,
    )
    services.dispute_confirm_replacement(dispute=dispute, actor=buyer)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.REPLACEMENT

    dispute = _replace_on_appeal(dispute, seller, RulingOutcome.REPLACEMENT)

    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.REPLACEMENT
    assert dispute.closed_at is not None and not _refunds(dispute)


def test_the_confirm_step_says_what_a_decision_on_an_arrived_return_does(buyer, seller, arbiter):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="return_then_refund", amount="10"
    )
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000014"
    )
    services.dispute_confirm_return(dispute=dispute, actor=seller)
    services.dispute_appeal(dispute=dispute, actor=buyer, statement="All of it.")
    dispute.refresh_from_db()
    decision = arbitration.Decision(
        outcome=RulingOutcome.RETURN_THEN_REFUND, rationale="Replaced.", policy_clause="damaged"
    )

    words = " ".join(appeal_decision(dispute, False, decision, QueryDict()).consequences)

    assert "sends the item back" not in words
    assert "40.00 USD is refunded to the buyer's original payment method at once" in words


def test_a_partial_refund_on_appeal_without_an_amount_is_refused_and_changes_nothing(
    buyer, seller, arbiter
):
    # As a ruling's is: without an amount, "partial refund" left a case that was waiting for
    # its return resolved with no outcome at all (machine test, a random seed).
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="return_then_refund", amount=None
    )
    with pytest.raises(ActionRefused, match="Enter the amount to refund"):
        _replace_on_appeal(dispute, seller, RulingOutcome.PARTIAL_REFUND)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.APPEALED and dispute.final_at is None
    assert dispute.outcome == "" and not _refunds(dispute)


def test_a_refund_on_appeal_with_nothing_left_to_refund_resolves_with_an_outcome(
    buyer, seller, arbiter
):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="replacement", amount=None
    )
    ledger.refund_issue(  # the whole order refunded outside this dispute meanwhile
        order=dispute.order,
        amount=Money(Decimal("50"), "USD"),
        reason="goodwill",
        source="test",
        idempotency_key="goodwill",
    )

    dispute = _replace_on_appeal(dispute, buyer, RulingOutcome.FULL_REFUND)

    assert dispute.state == DisputeState.RESOLVED and dispute.closed_at is not None
    assert dispute.outcome == Outcome.REFUNDED and not _refunds(dispute)
