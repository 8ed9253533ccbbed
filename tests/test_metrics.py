"""Staff metrics on a hand-built set of rulings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.metrics import metrics, percentile
from core.moments import duration
from disputes import services
from tests.factories import ArbiterFactory, open_dispute

pytestmark = pytest.mark.django_db


def test_percentile_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([4, 1, 3, 2], 0.5) == 2
    assert percentile(list(range(1, 11)), 0.9) == 9


def _rule(buyer, seller, arbiter, days_after_filing, outcome="claim_rejected"):
    dispute = open_dispute(buyer=buyer, seller=seller, opened_days_ago=days_after_filing)
    # Answered and escalated in time (a rejection days late would find the claim paid: the
    # seller's clock decides), then ruled today.
    answered = dispute.opened_at + timedelta(hours=1)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.", now=answered)
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer, now=answered)
    dispute.refresh_from_db()
    dispute.assignee = arbiter
    dispute.save(update_fields=["assignee"])
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome=outcome,
            rationale="r",
            policy_clause="damaged",
            amount=Decimal("5") if outcome == "partial_refund" else None,
        ),
    )
    return dispute


def test_metrics_formulas(buyer, seller, arbiter):
    other = ArbiterFactory(first_name="Bo", last_name="Other")
    first = _rule(buyer, seller, arbiter, 2)
    _rule(buyer, seller, arbiter, 4, outcome="partial_refund")
    _rule(buyer, seller, other, 10)
    open_dispute(buyer=buyer, seller=seller)  # open, not escalated
    # An appeal of the first ruling, reversed by the other arbiter.
    services.dispute_appeal(dispute=first, actor=buyer, statement="Again")
    first.refresh_from_db()
    first.assignee = other
    first.save(update_fields=["assignee"])
    arbitration.case_decide_appeal(
        dispute=first,
        arbiter=other,
        uphold=False,
        decision=arbitration.Decision(
            outcome="partial_refund", rationale="r", policy_clause="damaged", amount=Decimal("3")
        ),
    )
    m = metrics(timezone.now())
    assert m["rulings_counted"] == 3
    # Written as every page writes a duration (core.moments), in its two largest units.
    assert m["median_to_ruling"] == duration(timedelta(days=4))
    assert m["p90_to_ruling"] == duration(timedelta(days=10))
    assert m["open_cases"] == 0 and m["past_target"] == 0
    lines = {line.name: line for line in m["arbiters"]}
    mine = lines[arbiter.display_name]
    assert (mine.rulings, mine.appeals_decided, mine.reversed) == (2, 1, 1)
    assert mine.reversal_rate == "100%"
    assert lines["Bo Other"].reversal_rate == "–"


def test_past_target_counts_open_disputes_only(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    dispute.target_at = timezone.now() - timedelta(hours=1)
    dispute.save(update_fields=["target_at"])
    assert metrics(timezone.now())["past_target"] == 1


def test_metrics_page(client, arbiter):
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:metrics")).content.decode()
    assert ("Time to ruling" in page and "Reversal rate" in page) or "No ruling" in page
