"""A second appeal by the other party: the appeal page says at once that the ruling is already
under appeal and offers no appeal form; a statement sent from a page opened before is kept."""

import html

import pytest
from django.urls import reverse

from arbitration import services as arbitration
from disputes import appeal_views, services
from disputes.models import Dispute, DisputeState, Message
from tests.factories import ArbiterFactory, ruled_dispute

pytestmark = pytest.mark.django_db

STATEMENT = "The seller's photo was taken after the parcel was opened."


@pytest.fixture
def appealed(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    return services.dispute_appeal(dispute=dispute, actor=seller, statement="Used item.")


def _url(dispute):
    return reverse("disputes:appeal", args=[dispute.reference])


def test_the_other_party_is_told_at_once_and_offered_no_appeal_form(client, appealed, buyer):
    client.force_login(buyer)
    detail = client.get(reverse("disputes:detail", args=[appealed.reference])).content.decode()
    assert "Appeal the ruling</a>" not in detail and "no second appeal" in detail
    response = client.get(_url(appealed))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The ruling is already under appeal" in page
    assert "The seller appealed the ruling on" in page and "no second appeal" in page
    assert 'name="statement"' not in page and "File appeal" not in page


def test_the_appellant_reads_that_they_appealed(client, appealed, seller):
    client.force_login(seller)
    page = client.get(_url(appealed)).content.decode()
    assert "You appealed the ruling on" in page and 'name="statement"' not in page


def test_a_statement_from_a_page_opened_before_is_kept_as_a_message(client, appealed, buyer):
    client.force_login(buyer)
    response = client.post(_url(appealed), {"statement": STATEMENT})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your statement was not filed as an appeal" in page
    assert f'id="id_body">\n{STATEMENT}</textarea>' in html.unescape(page)
    appealed.refresh_from_db()
    assert appealed.appealed_by.username == "sid"  # still the seller's one appeal
    client.post(reverse("disputes:message", args=[appealed.reference]), {"body": STATEMENT})
    assert Message.objects.filter(dispute=appealed, author=buyer, body=STATEMENT).exists()


def test_an_appeal_filed_a_moment_earlier_keeps_the_statement(
    client, monkeypatch, buyer, seller, arbiter
):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    as_the_buyer_saw_it = Dispute.objects.get(pk=dispute.pk)
    services.dispute_appeal(dispute=dispute, actor=seller, statement="Used item.")
    # The buyer's request loaded the case just before the seller's appeal committed.
    monkeypatch.setattr(
        appeal_views.selectors, "dispute_for_party", lambda user, ref: as_the_buyer_saw_it
    )
    client.force_login(buyer)
    response = client.post(_url(dispute), {"statement": STATEMENT})
    assert response.status_code == 409
    page = response.content.decode().replace("&#x27;", "'")
    assert "The ruling is already under appeal" in page and STATEMENT in page


def test_after_the_appeal_is_decided_the_page_says_it_is_final(client, appealed, buyer):
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(
        dispute=appealed,
        arbiter=other,
        uphold=True,
        decision=arbitration.Decision(outcome="", rationale="Stands.", policy_clause="damaged"),
    )
    client.force_login(buyer)
    page = client.get(_url(appealed)).content.decode()
    assert "The appeal has been decided" in page and "that decision is final" in page
    assert 'name="statement"' not in page
    response = client.post(_url(appealed), {"statement": STATEMENT})
    assert response.status_code == 409 and STATEMENT in response.content.decode().replace(
        "&#x27;", "'"
    )
    appealed.refresh_from_db()
    assert appealed.state == DisputeState.RESOLVED
