"""What a case page costs in queries, for each person who reads it: the same however much the
case holds (claimed lines, rounds of offers, messages with photos; tests/test_case_page_size.py
holds it at any number of messages), and within a budget, so that a query added to the page
is a choice made on purpose (raise the budget with the reason in the commit), not an N+1 or a
second read of something the page already has (bench/pages.py shows where a page's time goes).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arbitration import services as arbitration
from disputes import services
from disputes.models import Reason, Remedy
from tests.factories import photo, shipped_order

pytestmark = pytest.mark.django_db

# Queries per page for a ruled case with a refund (the most a case page reads): the session and
# the person (2), the unread count of the header (1), then the page's own. It was 25, 25 and
# 26 before the page read its offers, clocks, counts, rating and refunds once each, and 15, 15
# and 20 before the messages' photos came from the case's evidence (disputes/case_rows.py).
BUDGET = {"buyer": 14, "seller": 14, "arbiter": 19}
PAGES = {"buyer": "disputes:detail", "seller": "disputes:detail", "arbiter": "arbitration:case"}


def _ruled_case(buyer, seller, arbiter, n: int):
    """A case with n of what grows: n order lines (all claimed), n rounds of a counter-offer
    and a changed claim, n messages with a photo each; then escalated and ruled with a partial
    refund (a ruling citing the photos, a refund, the appeal window's clock)."""
    order = shipped_order(
        buyer=buyer,
        seller=seller,
        lines=[(f"Item {i}", 1, "10.00") for i in range(n)],
        total=Decimal(10 * n),
    )
    proposal = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("5"))
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.DAMAGED,
        proposal=proposal,
        description="Cracked.",
        photos=[photo()],
    )
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("2"))
    for i in range(n):
        author = buyer if i % 2 else seller
        services.dispute_post_message(
            dispute=dispute, actor=author, body=f"message {i}", photos=[photo(f"m{i}.jpg")]
        )
        services.dispute_seller_reject(
            dispute=dispute, actor=seller, explanation="No.", counter=counter
        )
        services.dispute_modify(dispute=dispute, actor=buyer, proposal=proposal)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(
        dispute=dispute,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome="partial_refund",
            rationale="Cracked in transit.",
            policy_clause="damaged",
            amount=Decimal("5"),
            cited_evidence=tuple(dispute.evidence.values_list("pk", flat=True)),
        ),
    )
    return dispute


def _queries(client, who, role: str, dispute) -> tuple[int, str]:
    client.force_login(who)
    url = reverse(PAGES[role], args=[dispute.reference])
    client.get(url)  # first request of the session out of the way
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", list(PAGES))
def test_a_case_page_costs_the_same_queries_however_much_the_case_holds(
    client, buyer, seller, arbiter, role
):
    who = {"buyer": buyer, "seller": seller, "arbiter": arbiter}[role]
    small, _ = _queries(client, who, role, _ruled_case(buyer, seller, arbiter, 1))
    large, page = _queries(client, who, role, _ruled_case(buyer, seller, arbiter, 6))
    # The large case is all on the page: every round of offers, message and photo.
    assert "message 5" in page and "Item 5" in page
    assert "History of offers (14)" in page  # the claim, then 6 rounds of two
    assert page.count("/thumbnail/") >= 7  # the claim's photo and one per message, at least
    assert small == large, f"{role}: {small} queries for a small case, {large} for a large one"
    assert large <= BUDGET[role], f"{role}'s case page: {large} queries (budget {BUDGET[role]})"
