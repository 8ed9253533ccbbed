"""Staff forms keep what was typed, the ruling form starts from the clause of the dispute's
reason, and the demo's rulings argue the decision they record."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from arbitration import services as arbitration
from arbitration.models import Ruling
from disputes import services
from disputes.models import DeadlineKind, Reason, Remedy
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def _taken(buyer, seller, arbiter, **kwargs):
    dispute = open_dispute(buyer=buyer, seller=seller, **kwargs)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    assert arbitration.case_take_next(arbiter=arbiter) == dispute
    return dispute


def _clause_field(client, dispute):
    response = client.get(reverse("arbitration:case", args=[dispute.reference]))
    return response.context["ruling_form"]["policy_clause"]


@pytest.mark.parametrize(
    ("reason", "clause"),
    [
        (Reason.DAMAGED, "damaged"),
        (Reason.WRONG_ITEM, "wrong_item"),
        (Reason.MISSING_PARTS, "missing_parts"),
        (Reason.IN_TRANSIT, "not_received"),
    ],
)
def test_the_ruling_form_starts_from_the_clause_of_the_reason(
    client, buyer, seller, arbiter, reason, clause
):
    dispute = _taken(buyer, seller, arbiter, reason=reason)
    client.force_login(arbiter)
    field = _clause_field(client, dispute)
    assert field.value() == clause
    assert f'<option value="{clause}" selected>' in str(field)


def test_without_a_clause_chosen_the_ruling_is_refused_at_the_field(client, buyer, seller, arbiter):
    dispute = _taken(buyer, seller, arbiter)
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
    assert '<option value="">Choose the clause</option>' in page
    response = client.post(
        reverse("arbitration:rule", args=[dispute.reference]),
        {"outcome": "claim_rejected", "policy_clause": "", "rationale": "My reasons, kept."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the policy clause the decision applies." in page
    assert "My reasons, kept." in page
    assert not Ruling.objects.exists()


def test_an_evidence_request_with_an_error_keeps_what_was_typed(client, buyer, seller, arbiter):
    dispute = _taken(buyer, seller, arbiter)
    client.force_login(arbiter)
    response = client.post(
        reverse("arbitration:request_evidence", args=[dispute.reference]),
        {"party": "seller", "request": "A photo of the parcel label, please.", "hours": "0"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A photo of the parcel label, please." in page
    assert 'name="hours" value="0"' in page and "greater than or equal to 1" in page
    dispute.refresh_from_db()
    assert dispute.evidence_requested_from == ""


def test_an_evidence_request_on_a_released_case_says_why_it_was_refused(
    client, buyer, seller, arbiter
):
    dispute = _taken(buyer, seller, arbiter)
    arbitration.case_release(dispute=dispute, arbiter=arbiter)
    # Released meanwhile (another tab); this arbiter's page still had the form.
    client.force_login(arbiter)
    response = client.post(
        reverse("arbitration:request_evidence", args=[dispute.reference]),
        {"party": "buyer", "request": "The tracking number, please.", "hours": "48"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Take the case before asking for evidence." in page


def test_a_clock_change_with_an_error_keeps_what_was_typed(client, buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    clock = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    client.force_login(arbiter)
    response = client.post(
        reverse("arbitration:case_clocks", args=[dispute.reference]),
        {"deadline": clock.pk, "action": "extend", "hours": "", "reason": "Carrier strike."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "How many hours?" in page
    assert f'id="reason-e-{clock.pk}" type="text" name="reason" maxlength="500" required' in page
    assert 'value="Carrier strike."' in page
    clock.refresh_from_db()
    assert clock.due_at == clock.base_due_at


def test_the_demo_rulings_argue_their_decisions():
    call_command("seed_demo", verbosity=0)
    rulings = {r.outcome: r for r in Ruling.objects.all()}
    rejected = rulings["claim_rejected"]
    assert rejected.policy_clause == "insufficient_evidence"
    assert "rejected" in rejected.rationale and "show the defect" not in rejected.rationale
    assert "refunded" in rulings["partial_refund"].rationale
    assert "refunded in full" in rulings["full_refund"].rationale
    assert rulings["partial_refund"].amount == Decimal("40.00")


def test_a_not_received_claim_defaults_to_its_clause(client, buyer, seller, arbiter):
    dispute = _taken(
        buyer,
        seller,
        arbiter,
        reason=Reason.NOT_RECEIVED,
        photos=[],
        proposal=services.Proposal(Remedy.FULL_REFUND),
    )
    client.force_login(arbiter)
    assert _clause_field(client, dispute).value() == "not_received"
