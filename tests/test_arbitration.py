"""The arbitration queue and rulings: order, filters, take-next, and rulings carried out."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from arbitration import selectors, services
from arbitration.models import Ruling, RulingOutcome
from core.errors import ActionRefused
from disputes import services as dispute_services
from disputes.models import DisputeState, Outcome, Refund, Remedy
from tests.factories import ArbiterFactory, BuyerFactory, SellerFactory, open_dispute


def _escalated(buyer, seller, amount="20", days_ago=0, reason="damaged"):
    dispute = open_dispute(
        buyer=buyer,
        seller=seller,
        opened_days_ago=days_ago,
        reason=reason,
        proposal=dispute_services.Proposal(Remedy.PARTIAL_REFUND, Decimal(amount)),
    )
    dispute_services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    dispute = dispute_services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    return dispute


def _decision(outcome, amount=None, **kw):
    return services.Decision(
        outcome=outcome,
        rationale="The photos show a crack present on delivery.",
        policy_clause="damaged",
        amount=Decimal(amount) if amount else None,
        **kw,
    )


@pytest.mark.django_db
class TestQueue:
    def test_oldest_filing_first_then_largest_claim(self, buyer, seller, arbiter):
        newer = _escalated(buyer, seller, "30", days_ago=1)
        older_small = _escalated(buyer, seller, "10", days_ago=3)
        older_big = _escalated(buyer, seller, "40", days_ago=3)
        older_big.target_at = older_small.target_at
        older_big.save(update_fields=["target_at"])
        rows, _ = selectors.queue_page(selectors.QueueFilters(), arbiter)
        assert rows == [older_big, older_small, newer]

    def test_filters(self, buyer, seller, arbiter):
        small = _escalated(buyer, seller, "5", days_ago=1, reason="damaged")
        big = _escalated(buyer, seller, "45", days_ago=4, reason="wrong_item")
        services.case_take_next(arbiter=arbiter)  # takes `big` (older)

        def page(**kw):
            return selectors.queue_page(selectors.QueueFilters(**kw), arbiter)[0]

        assert page(reason="wrong_item") == [big]
        assert page(min_amount=Decimal(10)) == [big]
        assert page(max_amount=Decimal(10)) == [small]
        assert page(min_age_days=3) == [big]
        assert page(assignee="me") == [big]
        assert page(assignee="unassigned") == [small]

    def test_keyset_pages_cover_everything_once(self, buyer, seller, arbiter, monkeypatch):
        monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
        made = [_escalated(buyer, seller, str(5 + i)) for i in range(5)]
        seen, cursor = [], ""
        while True:
            rows, cursor = selectors.queue_page(selectors.QueueFilters(), arbiter, cursor)
            seen += rows
            if not cursor:
                break
        assert sorted(d.pk for d in seen) == sorted(d.pk for d in made)
        assert len(seen) == 5

    def test_queue_page_and_take_next_button(self, client, buyer, seller, arbiter):
        dispute = _escalated(buyer, seller)
        client.force_login(arbiter)
        page = client.get(reverse("arbitration:queue")).content.decode()
        assert dispute.reference in page and "1 waiting for an arbiter" in page
        response = client.post(reverse("arbitration:take_next"))
        assert response["Location"] == reverse("arbitration:case", args=[dispute.reference])
        dispute.refresh_from_db()
        assert dispute.assignee == arbiter


@pytest.mark.django_db(transaction=True)
def test_twenty_arbiters_take_twenty_different_cases():
    buyer, seller = BuyerFactory(), SellerFactory()
    cases = {_escalated(buyer, seller).pk for _ in range(20)}
    arbiters = [ArbiterFactory() for _ in range(20)]
    taken: list[int | None] = []
    barrier = threading.Barrier(20)

    def take(arbiter):
        try:
            barrier.wait()
            dispute = services.case_take_next(arbiter=arbiter)
            taken.append(dispute.pk if dispute else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(a,)) for a in arbiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken) == sorted(cases)


@pytest.mark.django_db
class TestAssignment:
    def test_release_and_reassign(self, buyer, seller, arbiter):
        other = ArbiterFactory()
        lead = ArbiterFactory(is_lead_arbiter=True)
        dispute = _escalated(buyer, seller)
        services.case_take_next(arbiter=arbiter)
        with pytest.raises(ActionRefused, match="Only the arbiter working"):
            services.case_release(dispute=dispute, arbiter=other)
        with pytest.raises(ActionRefused, match="lead arbiter"):
            services.case_reassign(dispute=dispute, lead=other, to=other)
        services.case_reassign(dispute=dispute, lead=lead, to=other)
        dispute.refresh_from_db()
        assert dispute.assignee == other
        services.case_release(dispute=dispute, arbiter=other)
        dispute.refresh_from_db()
        assert dispute.assignee is None

    def test_buyers_and_sellers_cannot_take_cases(self, buyer, seller):
        _escalated(buyer, seller)
        for person in (buyer, seller):
            with pytest.raises(ActionRefused):
                services.case_take_next(arbiter=person)


@pytest.mark.django_db
class TestRulings:
    def _taken(self, buyer, seller, arbiter, **kw):
        dispute = _escalated(buyer, seller, **kw)
        services.case_take_next(arbiter=arbiter)
        return dispute

    def test_full_refund(self, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        ruling = services.case_rule(
            dispute=dispute, arbiter=arbiter, decision=_decision(RulingOutcome.FULL_REFUND)
        )
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.REFUNDED
        assert Refund.objects.get(dispute=dispute).amount == Decimal("50.00")
        assert ruling.amount == Decimal("50.00")
        assert dispute.events.last().code == "disputes.dispute.ruled"

    def test_partial_refund_never_above_what_was_paid(self, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        with pytest.raises(ActionRefused, match=r"cannot be more than 50\.00 USD"):
            services.case_rule(
                dispute=dispute,
                arbiter=arbiter,
                decision=_decision(RulingOutcome.PARTIAL_REFUND, "60"),
            )
        services.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=_decision(RulingOutcome.PARTIAL_REFUND, "15.50"),
        )
        assert Refund.objects.get(dispute=dispute).amount == Decimal("15.50")
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.PARTIALLY_REFUNDED

    def test_return_then_refund_starts_the_return_path(self, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        services.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=_decision(RulingOutcome.RETURN_THEN_REFUND),
        )
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.AWAITING_RETURN
        assert not Refund.objects.exists()

    def test_claim_rejected_moves_no_money(self, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        services.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=_decision(
                RulingOutcome.CLAIM_REJECTED, seller_violation=False, cited_evidence=()
            ),
        )
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.CLAIM_REJECTED and dispute.closed_at
        assert not Refund.objects.exists()

    def test_ruling_needs_reasons_and_the_case(self, buyer, seller, arbiter):
        dispute = _escalated(buyer, seller)
        with pytest.raises(ActionRefused, match="Take the case"):
            services.case_rule(
                dispute=dispute, arbiter=arbiter, decision=_decision(RulingOutcome.FULL_REFUND)
            )
        services.case_take_next(arbiter=arbiter)
        empty = services.Decision(
            outcome=RulingOutcome.FULL_REFUND, rationale=" ", policy_clause="damaged"
        )
        with pytest.raises(ActionRefused, match="reasons"):
            services.case_rule(dispute=dispute, arbiter=arbiter, decision=empty)

    def test_ruling_twice_is_refused_and_pays_once(self, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        decision = _decision(RulingOutcome.FULL_REFUND)
        services.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
        with pytest.raises(ActionRefused):
            services.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
        assert Refund.objects.count() == 1 and Ruling.objects.count() == 1

    def test_a_ruling_ends_an_open_evidence_request(self, buyer, seller, arbiter):
        dispute = open_dispute(buyer=buyer, seller=seller)
        dispute_services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute_services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        services.case_take_next(arbiter=arbiter)
        services.case_request_evidence(
            dispute=dispute, arbiter=arbiter, party="seller", request="Label?", hours=48
        )
        services.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=services.Decision(
                outcome="claim_rejected", rationale="r", policy_clause="damaged"
            ),
        )
        dispute.refresh_from_db()
        assert not dispute.evidence_requested_from and dispute.evidence_due_at is None
        assert not dispute.deadlines.filter(kind="evidence_request", status="pending").exists()

    def test_parties_see_the_ruling_and_its_reasons(self, client, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        photo = dispute.evidence.first()
        client.force_login(arbiter)
        client.post(
            reverse("arbitration:rule", args=[dispute.reference]),
            {
                "outcome": "partial_refund",
                "amount": "12.00",
                "policy_clause": "damaged",
                "rationale": "The crack is visible in the buyer's first photo.",
                "cited_evidence": [str(photo.pk)],
                "confirmed": "1",
            },
        )
        assert Refund.objects.get(dispute=dispute).amount == Decimal("12.00")
        for party in (buyer, seller):
            client.force_login(party)
            page = client.get(reverse("disputes:detail", args=[dispute.reference])).content
            page = page.decode()
            assert "Ruling: Refund in part" in page
            assert "The crack is visible in the buyer" in page
            assert str(photo.public_id) in page

    def test_ruling_form_errors_keep_what_was_typed(self, client, buyer, seller, arbiter):
        dispute = self._taken(buyer, seller, arbiter)
        client.force_login(arbiter)
        response = client.post(
            reverse("arbitration:rule", args=[dispute.reference]),
            {"outcome": "partial_refund", "policy_clause": "damaged", "rationale": "Half."},
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "Enter the amount to refund." in html and "Half." in html
        assert not Refund.objects.exists()


def test_target_is_filing_plus_the_policy_target(db, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    assert dispute.target_at == dispute.opened_at + timedelta(
        days=dispute.policy.resolution_target_days
    )
    assert timezone.now() < dispute.target_at


@pytest.mark.django_db
def test_admin_offers_only_allowed_transitions_through_services(client, buyer, seller):
    lead = ArbiterFactory(is_lead_arbiter=True, is_superuser=True)
    dispute = _escalated(buyer, seller)
    client.force_login(lead)
    page = client.get(f"/admin/disputes/dispute/{dispute.pk}/change/").content.decode()
    assert "Rule on this case" in page and "Decide the appeal" not in page
    assert 'name="state"' not in page  # never a raw edit of the state
    client.post(
        "/admin/disputes/dispute/",
        {"action": "assign_to_me", "_selected_action": [dispute.pk]},
    )
    dispute.refresh_from_db()
    assert dispute.assignee == lead
    resolved = open_dispute(buyer=buyer, seller=seller)
    dispute_services.dispute_cancel(dispute=resolved, actor=buyer)
    page = client.get(f"/admin/disputes/dispute/{resolved.pk}/change/").content.decode()
    assert "Rule on this case" not in page
