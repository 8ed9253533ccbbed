"""The test clock on the case pages and through the API: shown and working only in a sandbox,
refused with its reason elsewhere (a 403 page, a `sandbox_only` problem), nothing changed."""

import json

import pytest
from django.urls import reverse

from core.checks import sandbox_is_not_production
from disputes import services
from disputes.models import DeadlineStatus, DisputeState
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from tests.factories import open_dispute
from tests.snapshots import table_digests

pytestmark = pytest.mark.django_db

OFF = "The test clock works only in a sandbox deployment (PARLEY_SANDBOX=1)."
NEXT = {"to": "next_deadline"}


@pytest.fixture
def sandbox(settings):
    settings.PARLEY_SANDBOX = True


@pytest.fixture
def case(buyer, seller):
    return open_dispute(buyer=buyer, seller=seller)


def _page(client, person, case):
    client.force_login(person)
    return client.get(reverse("disputes:detail", args=[case.reference])).content.decode()


def _advance(client, person, case, data, *, name="disputes:test_clock"):
    client.force_login(person)
    return client.post(reverse(name, args=[case.reference]), data, follow=True)


# --- Pages ----------------------------------------------------------------------------------------


def test_in_a_sandbox_the_case_page_offers_the_next_deadline_and_the_banner(
    sandbox, client, buyer, case
):
    page = _page(client, buyer, case)
    assert "Sandbox: not a live deployment." in page
    assert 'id="test-clock"' in page
    assert "Next deadline: <strong>Seller&#x27;s answer</strong>, due" in page
    assert "Advance to the next deadline" in page and "Advance to the end" in page


def test_the_buyer_advances_the_sellers_silence_and_sees_the_case_resolved(
    sandbox, client, buyer, case
):
    response = _advance(client, buyer, case, NEXT)

    assert response.redirect_chain[-1][0] == reverse("disputes:detail", args=[case.reference])
    page = response.content.decode()
    assert "Test clock: Seller&#x27;s answer, due " in page
    assert "Test clock: Seller&#x27;s answer moved from" in page  # on the timeline
    case.refresh_from_db()
    assert case.state == DisputeState.RESOLVED
    assert "No clock is running on this case: there is nothing to advance." in page


def test_the_arbiter_advances_a_case_to_the_end_from_the_case_page(
    sandbox, client, arbiter, buyer, seller, case
):
    services.dispute_seller_reject(dispute=case, actor=seller, explanation="No.")
    response = _advance(client, arbiter, case, {"to": "end"}, name="arbitration:test_clock")

    assert response.redirect_chain[-1][0] == reverse("arbitration:case", args=[case.reference])
    assert "Test clock: Negotiation limit, due " in response.content.decode()
    case.refresh_from_db()
    assert case.state == DisputeState.ESCALATED
    assert not case.deadlines.filter(status=DeadlineStatus.PENDING).exists()


def test_a_case_with_no_clock_says_so_and_changes_nothing(sandbox, client, buyer, seller, case):
    services.dispute_seller_accept(dispute=case, actor=seller)
    before = table_digests()
    response = _advance(client, buyer, case, NEXT)
    assert "there is nothing to advance" in response.content.decode()
    assert table_digests() == before


def test_an_unknown_choice_is_refused_with_a_message(sandbox, client, buyer, case):
    before = table_digests()
    response = _advance(client, buyer, case, {"to": "yesterday"})
    assert response.status_code == 200
    assert "Choose how far to move the test clock." in response.content.decode()
    assert table_digests() == before


def test_outside_a_sandbox_there_is_no_panel_and_a_post_is_refused(client, buyer, arbiter, case):
    page = _page(client, buyer, case)
    assert "test-clock" not in page and "Sandbox:" not in page
    before = table_digests()
    for person, name in ((buyer, "disputes:test_clock"), (arbiter, "arbitration:test_clock")):
        response = _advance(client, person, case, NEXT, name=name)
        assert response.status_code == 403
        assert OFF in response.content.decode()
    assert table_digests() == before


def test_another_buyer_finds_no_such_case(sandbox, client, other_buyer, case):
    before = table_digests()
    assert _advance(client, other_buyer, case, NEXT).status_code == 404
    assert table_digests() == before


# --- API ------------------------------------------------------------------------------------------


def _integrated(case, name="Bazaar"):
    market = Integration.objects.create(name=name)
    ExternalRef.objects.create(
        integration=market, kind=RefKind.ORDER, external_id="o-1", object_id=case.order_id
    )
    return ApiKey.issue(market, scope=Scope.WRITE)[1]


def _api(client, key, case, body, idempotency_key=None):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    return client.post(
        f"/api/v1/cases/{case.reference}/test_clock/advance",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_the_marketplace_advances_a_case_and_reads_what_fired(sandbox, client, case):
    key = _integrated(case)
    response = _api(client, key, case, NEXT, idempotency_key="k-1")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == case.reference and body["state"] == "resolved"
    (fired,) = body["fired"]
    assert fired["clock"] == "seller_answer" and fired["was_due_at"]
    assert fired["happened"][0].startswith("The 5 days to answer ended on")
    codes = [event["code"] for event in body["timeline"]]
    assert codes[-2:] == ["disputes.sandbox.advanced", "disputes.rule.seller_silence"]
    assert body["timeline"][-2]["actor"] == "system"
    # Sent again with the same key: the same answer, acted once.
    again = _api(client, key, case, NEXT, idempotency_key="k-1")
    assert again.json() == body and again["Idempotent-Replayed"] == "true"
    assert case.events.filter(code="disputes.sandbox.advanced").count() == 1


def test_to_the_end_through_the_api_leaves_no_clock(sandbox, client, case):
    key = _integrated(case)
    body = _api(client, key, case, {"to": "end"}).json()
    assert [f["clock"] for f in body["fired"]] == ["seller_answer"]
    assert _api(client, key, case, {"to": "end"}).json()["fired"] == []


def test_the_api_refuses_outside_a_sandbox_and_changes_nothing(client, case):
    key = _integrated(case)
    before = table_digests()
    response = _api(client, key, case, NEXT)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "sandbox_only" and response.json()["detail"] == OFF
    assert table_digests() == before


def test_another_integrations_case_is_not_found(sandbox, client, case, buyer, seller):
    _integrated(case)
    other = _integrated(open_dispute(buyer=buyer, seller=seller), name="Other")
    before = table_digests()
    assert _api(client, other, case, NEXT).status_code == 404
    assert table_digests() == before


def test_a_read_key_may_not_move_the_clock(sandbox, client, case):
    _integrated(case)
    market = Integration.objects.get(name="Bazaar")
    read = ApiKey.issue(market, scope=Scope.READ)[1]
    assert _api(client, read, case, NEXT).json()["code"] == "scope_insufficient"


def test_an_unknown_reach_is_a_validation_problem(sandbox, client, case):
    key = _integrated(case)
    response = _api(client, key, case, {"to": "tomorrow"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "to"


# --- Deployment ---------------------------------------------------------------------------------


def test_the_deploy_checklist_warns_of_a_sandbox(settings):
    assert sandbox_is_not_production() == []
    settings.PARLEY_SANDBOX = True
    (warning,) = sandbox_is_not_production()
    assert warning.id == "parley.W001" and "never in production" in warning.hint
