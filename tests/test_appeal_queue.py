"""Appeals can be decided: "take next" serves an appeal only to an arbiter who did not make the
ruling and says why when nothing is left for them; the queue and the case page say who may
take an appeal; the demo has a second arbiter who can decide the demo's appeals."""

import html

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from arbitration import services as arbitration
from disputes import services
from disputes.models import Dispute, DisputeState
from tests.factories import ArbiterFactory, ruled_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(arbiter):
    arbiter.first_name, arbiter.last_name = "Ada", "Arbiter"
    arbiter.save()
    return arbiter


def _appealed(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    return services.dispute_appeal(dispute=dispute, actor=seller, statement="Look again.")


def _take_next(client):
    response = client.post(reverse("arbitration:take_next"), follow=True)
    return html.unescape(response.content.decode())


def test_take_next_says_why_no_appeal_is_served_to_the_arbiter_who_ruled(
    client, buyer, seller, ada
):
    first = _appealed(buyer, seller, ada)
    client.force_login(ada)
    page = _take_next(client)
    assert "1 appeal is waiting, but you made its ruling; another arbiter must decide it." in page
    _appealed(buyer, seller, ada)
    page = _take_next(client)
    assert (
        "2 appeals are waiting, but you made their rulings; another arbiter must decide them"
        in (page)
    )
    first.refresh_from_db()
    assert first.assignee is None


def test_take_next_with_nothing_waiting_says_so(client, arbiter):
    client.force_login(arbiter)
    assert "No unassigned case is waiting." in _take_next(client)


def test_another_arbiter_takes_the_appeal(client, buyer, seller, ada):
    dispute = _appealed(buyer, seller, ada)
    other = ArbiterFactory(first_name="Ben", last_name="Okafor")
    client.force_login(other)
    response = client.post(reverse("arbitration:take_next"))
    assert response["Location"] == reverse("arbitration:case", args=[dispute.reference])
    dispute.refresh_from_db()
    assert dispute.assignee == other


def test_the_queue_says_who_may_take_each_appeal(client, buyer, seller, ada):
    _appealed(buyer, seller, ada)
    other = ArbiterFactory(first_name="Ben", last_name="Okafor")
    client.force_login(other)
    page = client.get(reverse("arbitration:queue")).content.decode()
    assert "Any arbiter except Ada Arbiter" in page
    client.force_login(ada)
    page = client.get(reverse("arbitration:queue")).content.decode()
    assert "Any arbiter except you (you made the ruling)" in page


def test_the_case_page_says_who_may_decide_and_offers_only_them_to_assign(
    client, buyer, seller, ada
):
    dispute = _appealed(buyer, seller, ada)
    ben = ArbiterFactory(first_name="Ben", last_name="Okafor")
    lead = ArbiterFactory(first_name="Lee", last_name="Lead", is_lead_arbiter=True)
    client.force_login(lead)
    response = client.get(reverse("arbitration:case", args=[dispute.reference]))
    page = response.content.decode()
    assert "Who may decide this appeal: Any arbiter except Ada Arbiter." in page
    assert set(response.context["arbiters"]) == {ben, lead}


def test_the_demo_appeals_are_decided_by_the_second_arbiter(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "arbiter2" in out and "decides the appeals of Ari's rulings" in out
    ari, ben = User.objects.get(username="arbiter"), User.objects.get(username="arbiter2")
    assert ben.check_password("parley-demo") and ben.is_arbiter
    appeals = set(Dispute.objects.filter(state=DisputeState.APPEALED))
    assert len(appeals) == 2
    taken = [arbitration.case_take_next(arbiter=ari)]  # the escalated case, not an appeal
    assert taken[0] is not None and taken[0].state == DisputeState.ESCALATED
    assert arbitration.case_take_next(arbiter=ari) is None
    for _ in appeals:
        case = arbitration.case_take_next(arbiter=ben)
        assert case in appeals
        arbitration.case_decide_appeal(
            dispute=case,
            arbiter=ben,
            uphold=True,
            decision=arbitration.Decision(
                outcome="", rationale="The ruling stands.", policy_clause="insufficient_evidence"
            ),
        )
    assert not Dispute.objects.filter(state=DisputeState.APPEALED).exists()
