"""Deadlines decide: a clock that has run out has decided, whether or not the engine has run
(no engine run at all in these tests: the workers are down). One second before its clock a
party's act is done; after it, the clock's outcome applies, dated at its due time, and the
late act is refused saying what happened."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arbitration import services as arbitration
from core.errors import StaleState
from disputes import services
from disputes.events import people
from disputes.events import rules as by_rule
from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Party,
    Reason,
    Refund,
    Remedy,
)
from disputes.selectors import current_offer, dispute_actions
from disputes.services import negotiation
from tests.factories import open_dispute, ruled_dispute

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
LATE = timedelta(seconds=10)


def _due(dispute, kind):
    return Deadline.objects.get(dispute=dispute, kind=kind, status=DeadlineStatus.PENDING).due_at


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _codes(dispute):
    return [event.code for event in dispute.events.order_by("id")]


def _rejected(buyer, seller, counter=None):
    dispute = open_dispute(buyer=buyer, seller=seller)
    counter = counter or services.Proposal(Remedy.PARTIAL_REFUND, Decimal("5"))
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="No.", counter=counter
    )
    return dispute


def _counter(dispute):
    offer = current_offer(dispute, Party.SELLER)
    assert offer is not None
    return offer


def _returning(buyer, seller):
    claim = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_RETURN
    return dispute


class TestSellerAnswer:
    def test_a_rejection_one_second_early_stands(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        with _at(_due(dispute, DeadlineKind.SELLER_ANSWER) - SECOND):
            services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.AWAITING_BUYER
        assert not Refund.objects.exists()

    def test_a_rejection_ten_seconds_late_pays_the_claim(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        due = _due(dispute, DeadlineKind.SELLER_ANSWER)
        with _at(due + LATE), pytest.raises(StaleState, match="The 5 days to answer ended on"):
            services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert dispute.closed_at == due  # dated when the clock fell due
        assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]
        assert _codes(dispute)[-1] == by_rule.SELLER_SILENCE.code
        assert people.SELLER_REJECTED.code not in _codes(dispute)

    def test_a_late_accept_is_refunded_for_silence(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        due = _due(dispute, DeadlineKind.SELLER_ANSWER)
        with _at(due + SECOND), pytest.raises(StaleState, match="claim was carried out"):
            services.dispute_seller_accept(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.PARTIALLY_REFUNDED
        assert _codes(dispute)[-1] == by_rule.SELLER_SILENCE.code
        assert people.SELLER_ACCEPTED.code not in _codes(dispute)

    def test_the_guard_under_the_lock_covers_the_instant_between(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        with _at(_due(dispute, DeadlineKind.SELLER_ANSWER)), pytest.raises(StaleState):
            # The unwrapped act, as if the clock fell due after the catch-up looked.
            negotiation.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.AWAITING_SELLER

    def test_pages_offer_no_act_once_the_clock_ran_out(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        due = _due(dispute, DeadlineKind.SELLER_ANSWER)
        assert "seller_reject" in dispute_actions(dispute, seller, now=due - SECOND)
        assert dispute_actions(dispute, seller, now=due + SECOND) == set()
        assert dispute_actions(dispute, buyer, now=due + SECOND) == set()


class TestNegotiationLimit:
    @pytest.mark.parametrize(
        "act",
        [
            lambda d, buyer: services.dispute_escalate_by_buyer(dispute=d, actor=buyer),
            lambda d, buyer: services.dispute_modify(
                dispute=d, actor=buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
            ),
            lambda d, buyer: services.dispute_accept_offer(
                dispute=d, actor=buyer, offer_id=_counter(d).pk
            ),
            lambda d, buyer: services.dispute_post_message(dispute=d, actor=buyer, body="Hi"),
        ],
        ids=["escalate", "modify", "accept", "message"],
    )
    def test_the_buyer_late_finds_the_case_escalated(self, buyer, seller, act):
        dispute = _rejected(buyer, seller)
        due = _due(dispute, DeadlineKind.NEGOTIATION_LIMIT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to agree ended on"):
            act(dispute, buyer)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.ESCALATED
        assert dispute.escalated_at == due
        assert not Refund.objects.exists()

    def test_one_second_early_the_buyer_accepts(self, buyer, seller):
        dispute = _rejected(buyer, seller)
        offer = current_offer(dispute, Party.SELLER)
        with _at(_due(dispute, DeadlineKind.NEGOTIATION_LIMIT) - SECOND):
            services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED


class TestReturns:
    def test_a_return_shipped_late_closes_for_the_seller(self, buyer, seller):
        dispute = _returning(buyer, seller)
        due = _due(dispute, DeadlineKind.RETURN_SHIPMENT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to ship the return ended"):
            services.dispute_ship_return(
                dispute=dispute, actor=buyer, carrier="dhl", tracking_number="JD1"
            )
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert _codes(dispute)[-1] == by_rule.RETURN_NOT_SHIPPED.code
        assert not Refund.objects.exists()

    def test_a_return_shipped_one_second_early_is_on_its_way(self, buyer, seller):
        dispute = _returning(buyer, seller)
        with _at(_due(dispute, DeadlineKind.RETURN_SHIPMENT) - SECOND):
            services.dispute_ship_return(
                dispute=dispute, actor=buyer, carrier="dhl", tracking_number="JD1"
            )
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RETURN_IN_TRANSIT

    @pytest.mark.parametrize("late", [False, True])
    def test_the_seller_confirms_the_return(self, buyer, seller, late):
        dispute = _returning(buyer, seller)
        services.dispute_ship_return(
            dispute=dispute, actor=buyer, carrier="dhl", tracking_number="JD1"
        )
        due = _due(dispute, DeadlineKind.RETURN_RECEIPT)
        with _at(due + SECOND if late else due - SECOND):
            if late:
                with pytest.raises(StaleState, match="days to confirm the return ended"):
                    services.dispute_confirm_return(dispute=dispute, actor=seller)
            else:
                services.dispute_confirm_return(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]
        expected = by_rule.RETURN_RECEIPT.code if late else people.RETURN_RECEIVED.code
        assert expected in _codes(dispute)


class TestRulings:
    @pytest.mark.parametrize("late", [False, True])
    def test_an_appeal_against_its_window(self, buyer, seller, arbiter, late):
        dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
        due = _due(dispute, DeadlineKind.APPEAL)
        with _at(due + SECOND if late else due - SECOND):
            if late:
                with pytest.raises(StaleState, match="days to appeal ended"):
                    services.dispute_appeal(dispute=dispute, actor=seller, statement="Unfair.")
            else:
                services.dispute_appeal(dispute=dispute, actor=seller, statement="Unfair.")
        dispute.refresh_from_db()
        assert (dispute.final_at == due) is late
        assert (dispute.state == DisputeState.APPEALED) is not late

    @pytest.mark.parametrize("late", [False, True])
    def test_an_evidence_answer_against_its_due_time(self, buyer, seller, arbiter, late):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        arbitration.case_take_next(arbiter=arbiter)
        arbitration.case_request_evidence(
            dispute=dispute, arbiter=arbiter, party=Party.SELLER, request="Photos?", hours=24
        )
        due = _due(dispute, DeadlineKind.EVIDENCE_REQUEST)
        with _at(due + SECOND if late else due - SECOND):
            if late:
                with pytest.raises(StaleState, match="to send evidence ended"):
                    services.dispute_post_message(dispute=dispute, actor=seller, body="Here.")
            else:
                services.dispute_post_message(dispute=dispute, actor=seller, body="Here.")
        dispute.refresh_from_db()
        assert (dispute.no_answer_from == Party.SELLER) is late
        assert dispute.evidence_requested_from == ""

    def test_a_ruling_after_an_unanswered_request_is_refused_once(self, buyer, seller, arbiter):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        arbitration.case_take_next(arbiter=arbiter)
        arbitration.case_request_evidence(
            dispute=dispute, arbiter=arbiter, party=Party.SELLER, request="Photos?", hours=24
        )
        decision = arbitration.Decision("claim_rejected", "r", "damaged")
        due = _due(dispute, DeadlineKind.EVIDENCE_REQUEST)
        with _at(due + SECOND), pytest.raises(StaleState, match="decides on what is there"):
            arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
        dispute.refresh_from_db()
        assert dispute.assignee is None  # back in the queue, as the engine would have left it


class TestMoreLateActs:
    def test_a_withdrawal_after_the_sellers_silence_is_too_late(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller)
        due = _due(dispute, DeadlineKind.SELLER_ANSWER)
        with _at(due + SECOND), pytest.raises(StaleState, match="claim was carried out"):
            services.dispute_cancel(dispute=dispute, actor=buyer)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]

    def test_the_seller_late_against_the_negotiation_limit(self, buyer, seller):
        dispute = _rejected(buyer, seller)
        due = _due(dispute, DeadlineKind.NEGOTIATION_LIMIT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to agree ended on"):
            services.dispute_post_message(dispute=dispute, actor=seller, body="Deal?")
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.ESCALATED

    @pytest.mark.parametrize("late", [False, True])
    def test_the_seller_against_the_goods_in_transit_clock(self, buyer, seller, late):
        dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
        due = _due(dispute, DeadlineKind.GOODS_IN_TRANSIT)
        assert due == dispute.order.promised_delivery_at
        with _at(due + SECOND if late else due - SECOND):
            if late:
                with pytest.raises(StaleState, match="delivery time limit ended on"):
                    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
            else:
                services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute.refresh_from_db()
        expected = DisputeState.ESCALATED if late else DisputeState.AWAITING_BUYER
        assert dispute.state == expected

    def test_clocks_due_together_apply_in_due_order(self, buyer, seller):
        # Not received, answered late by days: the goods-in-transit limit (day 4) came before
        # the seller's 5 days, so the case went to an arbiter and nothing was paid.
        dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
        later = _due(dispute, DeadlineKind.SELLER_ANSWER) + LATE
        with _at(later), pytest.raises(StaleState, match="delivery time limit ended on"):
            services.dispute_seller_accept(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.ESCALATED
        assert not Refund.objects.exists()


def test_the_late_sellers_page_says_what_happened(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    due = _due(dispute, DeadlineKind.SELLER_ANSWER)
    client.force_login(seller)
    with _at(due + LATE):
        detail = client.get(reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference}))
        assert "seller_reject" not in detail.context["actions"]  # not offered: too late
        response = client.post(
            reverse("disputes:reject", kwargs={"dispute_ref": dispute.reference}),
            {"explanation": "Cosmetic only.", "counter_remedy": "", "counter_amount": ""},
        )
    assert response.status_code == 409
    page = response.content.decode()
    assert "The 5 days to answer ended on" in page and "claim was carried out" in page


class TestTheOtherParty:
    def test_the_buyer_late_against_the_goods_in_transit_clock(self, buyer, seller):
        dispute = open_dispute(buyer=buyer, seller=seller, reason=Reason.NOT_RECEIVED, photos=[])
        due = _due(dispute, DeadlineKind.GOODS_IN_TRANSIT)
        claim = services.Proposal(Remedy.FULL_REFUND)
        with _at(due + SECOND), pytest.raises(StaleState, match="delivery time limit ended"):
            services.dispute_modify(dispute=dispute, actor=buyer, proposal=claim)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.ESCALATED

    def test_the_buyer_late_against_the_return_receipt_clock(self, buyer, seller):
        dispute = _returning(buyer, seller)
        services.dispute_ship_return(
            dispute=dispute, actor=buyer, carrier="dhl", tracking_number="JD1"
        )
        due = _due(dispute, DeadlineKind.RETURN_RECEIPT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to confirm the return"):
            services.dispute_cancel(dispute=dispute, actor=buyer)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]

    def test_the_buyer_late_against_the_appeal_window(self, buyer, seller, arbiter):
        dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
        due = _due(dispute, DeadlineKind.APPEAL)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to appeal ended"):
            services.dispute_appeal(dispute=dispute, actor=buyer, statement="More, please.")
        dispute.refresh_from_db()
        assert dispute.final_at == due
