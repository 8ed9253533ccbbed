"""The seller's work list: cases waiting for the seller's answer or confirmation first, the
soonest due at the top whatever the move, each with its due time (a return waiting for
confirmation too); the dashboard counts them, in a bounded number of queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.moments import moment
from disputes import services
from disputes.models import DeadlineKind, DeadlineStatus, Remedy
from orders.models import Carrier
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def _due(dispute, kind):
    return dispute.deadlines.get(kind=kind, status=DeadlineStatus.PENDING).due_at


@pytest.fixture
def cases(buyer, seller):
    """A claim to answer (opened now), a return to confirm (its clock set to run out first),
    and a claim the seller already answered (nothing to do)."""
    answer = open_dispute(buyer=buyer, seller=seller)
    proposal = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    returning = open_dispute(buyer=buyer, seller=seller, proposal=proposal)
    services.dispute_seller_accept(dispute=returning, actor=seller)
    services.dispute_ship_return(
        dispute=returning, actor=buyer, carrier=Carrier.UPS, tracking_number="1Z999"
    )
    # Due before the answer, whatever the policy's return clocks are.
    returning.deadlines.filter(kind=DeadlineKind.RETURN_RECEIPT).update(
        due_at=timezone.now() + timedelta(days=1)
    )
    answered = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=answered, actor=seller, explanation="No.")
    return answer, returning, answered


def test_work_list_puts_the_soonest_due_first_across_answers_and_returns(client, seller, cases):
    answer, returning, answered = cases
    client.force_login(seller)
    response = client.get(reverse("disputes:seller_list"))
    assert list(response.context["page"].object_list) == [returning, answer, answered]
    page = response.content.decode()
    assert "Confirm the return by" in page
    assert moment(_due(returning, DeadlineKind.RETURN_RECEIPT)) in page
    assert moment(_due(answer, DeadlineKind.SELLER_ANSWER)) in page
    assert "—" not in page


def test_dashboard_counts_what_needs_the_seller(client, seller, cases):
    answer, returning, _ = cases
    client.force_login(seller)
    page = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert "Needs your answer" in page
    assert "Answer the claim: <strong>1</strong>" in page
    assert "Confirm the return: <strong>1</strong>" in page
    assert page.index(returning.reference) < page.index(answer.reference)


def test_work_list_queries_do_not_grow_with_the_cases(client, buyer, seller, cases):
    client.force_login(seller)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("disputes:seller_list"))
        client.get(reverse("orders:seller_dashboard"))
    for _ in range(4):
        open_dispute(buyer=buyer, seller=seller)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("disputes:seller_list"))
        client.get(reverse("orders:seller_dashboard"))
    assert len(more) == len(few)


def test_a_replacement_to_ship_is_on_the_work_list_with_its_due_time(client, buyer, seller):
    waiting = open_dispute(buyer=buyer, seller=seller)
    agreed = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.REPLACEMENT)
    )
    services.dispute_seller_accept(dispute=agreed, actor=seller)
    due = _due(agreed, DeadlineKind.REPLACEMENT_SHIPMENT)
    assert due > _due(waiting, DeadlineKind.SELLER_ANSWER)  # the answer is due first
    client.force_login(seller)
    response = client.get(reverse("disputes:seller_list"))
    assert list(response.context["page"].object_list) == [waiting, agreed]
    page = response.content.decode()
    assert "Ship the replacement by" in page
    assert moment(due) in page
    dashboard = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert "Ship the replacement: <strong>1</strong>" in dashboard


def test_a_shipped_replacement_leaves_the_work_list(client, buyer, seller):
    agreed = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.REPLACEMENT)
    )
    services.dispute_seller_accept(dispute=agreed, actor=seller)
    services.dispute_ship_replacement(
        dispute=agreed, actor=seller, carrier=Carrier.UPS, tracking_number="1Z999", delivery_days=5
    )
    client.force_login(seller)
    response = client.get(reverse("disputes:seller_list"))
    assert list(response.context["page"].object_list) == [agreed]
    assert "Ship the replacement by" not in response.content.decode()
    dashboard = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert "Ship the replacement: <strong>0</strong>" in dashboard
