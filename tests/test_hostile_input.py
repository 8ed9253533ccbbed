"""Hostile input (issue 12, finding 5): each cause of a server error the fuzzer found, now read
through a form with bounds. A query parameter that does not hold falls back to the default or
shows the form's error; a posted id that does not hold is refused with a message. Never a 500,
and nothing changes. (A login username past 255 characters: tests/test_login_lockout.py.)"""

from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse

from arbitration import services as arbitration
from disputes import services
from disputes.models import DeadlineKind, DisputeState, Remedy
from tests.factories import ArbiterFactory, open_dispute

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000  # past Python's 4,300-digit limit for int()
NOT_ASCII = "²"  # str.isdigit() says yes, int() says no


def _errors(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level == messages.ERROR]


@pytest.fixture
def escalated(buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(20))
    )
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    return services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)


# --- Query parameters: the default, or the form's error -------------------------------------------


@pytest.mark.parametrize("days", ["1000000", HUGE])
def test_queue_age_past_any_date_is_the_forms_error(client, arbiter, escalated, days):
    client.force_login(arbiter)
    response = client.get(reverse("arbitration:queue"), {"min_age_days": days})
    assert response.status_code == 200
    assert "min_age_days" in response.context["form"].errors
    assert [row.case for row in response.context["rows"]] == [escalated]  # the unfiltered queue


@pytest.mark.parametrize("days", ["99999999999", NOT_ASCII, "0", HUGE])
def test_seller_list_days_that_do_not_hold_count_30(client, seller, escalated, days):
    client.force_login(seller)
    url = reverse("disputes:seller_list")
    response = client.get(url, {"behind": "disputes", "days": days})
    assert response.status_code == 200
    assert response.context["behind"] == "disputes"
    assert list(response.context["page"].object_list) == [escalated]  # opened today


def test_seller_list_figure_that_does_not_exist_shows_every_dispute(client, seller, escalated):
    client.force_login(seller)
    response = client.get(reverse("disputes:seller_list"), {"behind": "everything", "days": "30"})
    assert response.status_code == 200
    assert response.context["behind"] == ""
    assert list(response.context["page"].object_list) == [escalated]


# (Not named `page`: that is pytest-playwright's browser page fixture.)
@pytest.mark.parametrize("number", [NOT_ASCII, HUGE, "-1", "99999999999"])
def test_page_numbers_that_do_not_hold_show_a_page(client, seller, escalated, number):
    client.force_login(seller)
    for url in (reverse("disputes:seller_list"), reverse("orders:seller_dashboard")):
        response = client.get(url, {"page": number, "ship_page": number, "shipped_page": number})
        assert response.status_code == 200


# --- Posted ids: refused with a message, nothing changed ------------------------------------------


@pytest.mark.parametrize("offer", [NOT_ASCII, HUGE, "abc", "-1", ""])
def test_seller_accept_with_an_offer_id_that_does_not_hold(client, buyer, seller, offer):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(seller)
    url = reverse("disputes:seller_accept", args=[dispute.reference])
    response = client.post(url, {"offer": offer, "confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("disputes:detail", args=[dispute.reference])
    assert _errors(response) == ["Choose the claim to accept: reload the case and try again."]
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_SELLER


@pytest.mark.parametrize("to", ["abc", HUGE, NOT_ASCII, "99999999999999999999"])
def test_reassign_to_an_arbiter_that_does_not_hold(client, arbiter, escalated, to):
    lead = ArbiterFactory(is_lead_arbiter=True)
    arbitration.case_take_next(arbiter=arbiter)
    client.force_login(lead)
    response = client.post(reverse("arbitration:reassign", args=[escalated.reference]), {"to": to})
    assert response.status_code == 302
    assert _errors(response) == ["Choose an arbiter."]
    escalated.refresh_from_db()
    assert escalated.assignee == arbiter


@pytest.mark.parametrize("deadline", ["abc", HUGE, NOT_ASCII, "99999999999999999999"])
def test_clock_change_of_a_deadline_that_does_not_hold(client, arbiter, buyer, seller, deadline):
    dispute = open_dispute(buyer=buyer, seller=seller)
    clock = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    client.force_login(arbiter)
    response = client.post(
        reverse("arbitration:case_clocks", args=[dispute.reference]),
        {"deadline": deadline, "action": "extend", "hours": "24", "reason": "Carrier strike."},
    )
    assert response.status_code == 400  # the form again, with its error
    assert "That clock is no longer running" in response.content.decode()
    due = clock.due_at
    clock.refresh_from_db()
    assert clock.due_at == due
