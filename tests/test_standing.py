"""Seller standing and ratings: the formulas on a hand-built record."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.standing import disputes_behind, standing
from core.errors import ActionRefused
from disputes import services
from disputes.models import SellerRating
from tests.factories import OrderFactory, open_dispute

pytestmark = pytest.mark.django_db


def _figures(store, days=30):
    return {f.key: f for f in standing(store.pk, timezone.now(), days)}


@pytest.fixture
def record(buyer, seller, arbiter):
    """10 orders shipped this month; 4 disputes: one refunded for silence, one ruled against
    the seller with a violation, one ruled for the seller, one settled by agreement."""
    store = seller.store
    shipped = timezone.now() - timedelta(days=10)
    for _ in range(6):
        OrderFactory(buyer=buyer, store=store, state="shipped", all_shipped_at=shipped)
    silent = open_dispute(buyer=buyer, seller=seller, opened_days_ago=6)
    due = silent.deadlines.get(kind="seller_answer").due_at
    services.dispute_resolve_for_seller_silence(dispute=silent, now=due)

    def ruled(outcome, violation=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        arbitration.case_take_next(arbiter=arbiter)
        arbitration.case_rule(
            dispute=dispute,
            arbiter=arbiter,
            decision=arbitration.Decision(
                outcome=outcome,
                rationale="Reasons.",
                policy_clause="damaged",
                amount=Decimal("5") if outcome == "partial_refund" else None,
                seller_violation=violation,
                penalty_note="Misleading listing" if violation else "",
            ),
        )
        return dispute

    against = ruled("partial_refund", violation=True)
    ruled("claim_rejected")
    agreed = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=agreed, actor=seller)
    return {"store": store, "silent": silent, "against": against}


def test_standing_formulas(record):
    figures = _figures(record["store"])
    assert figures["disputes"].value == "40.0%"  # 4 opened / 10 shipped
    assert figures["bad"].value == "20.0%"  # (1 silence + 1 against) / 10
    assert figures["silence"].value == "1"
    assert figures["against"].value == "1"
    assert figures["penalties"].value == "1"
    assert figures["rating"].value == "–"
    assert "4 disputes opened ÷ 10 orders shipped" in figures["disputes"].formula


def test_the_disputes_behind_a_figure(record):
    now = timezone.now()
    store = record["store"].pk
    assert set(disputes_behind(store, "bad", now, 30)) == {record["silent"], record["against"]}
    assert list(disputes_behind(store, "penalties", now, 30)) == [record["against"]]


def test_rating_once_after_the_dispute_ended(buyer, seller, other_buyer):
    dispute = open_dispute(buyer=buyer, seller=seller)
    with pytest.raises(ActionRefused, match="once the dispute has ended"):
        services.rating_leave(dispute=dispute, buyer=buyer, stars=4, comment="")
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    with pytest.raises(ActionRefused, match="Only the buyer"):
        services.rating_leave(dispute=dispute, buyer=other_buyer, stars=1, comment="")
    services.rating_leave(dispute=dispute, buyer=buyer, stars=4, comment="Fair in the end.")
    with pytest.raises(ActionRefused, match="already rated"):
        services.rating_leave(dispute=dispute, buyer=buyer, stars=5, comment="")
    assert SellerRating.objects.get().stars == 4
    assert _figures(seller.store)["rating"].value == "4.0 / 5"


def test_rating_from_the_dispute_page(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    client.force_login(buyer)
    url = reverse("disputes:detail", args=[dispute.reference])
    assert "Rate the seller" in client.get(url).content.decode()
    client.post(
        reverse("disputes:rate", args=[dispute.reference]), {"stars": "5", "comment": "Quick"}
    )
    page = client.get(url).content.decode()
    assert "Your rating of the seller" in page and "Rate the seller" not in page


def test_seller_dashboard_shows_standing_with_links_and_chart(client, record, seller):
    client.force_login(seller)
    page = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert "Bad transaction rate" in page and "20.0%" in page
    assert "?behind=bad&amp;days=30" in page
    assert "<svg" in page and "Disputes opened per week" in page
    listing = client.get(reverse("disputes:seller_list") + "?behind=bad&days=30")
    assert set(listing.context["page"].object_list) == {record["silent"], record["against"]}
