"""GET /api/v1/cases and /cases/{reference}: a marketplace reads its own cases (only its own),
with offers, ledger, evidence metadata, timeline, and each party's available actions with the
deadline and what happens then."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from disputes import services
from disputes.models import Deadline, DeadlineKind, Remedy
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return Integration.objects.create(name="Bazaar")


@pytest.fixture
def read_key(market):
    return ApiKey.issue(market, scope=Scope.READ)[1]


def _get(client, key, path, **params):
    headers = {"Authorization": f"Bearer {key}"}
    return client.get(f"/api/v1{path}", params, headers=headers)


def _ours(market, dispute, order_id="ord-1"):
    """Tie the dispute's order (and its people) to the integration's external ids."""
    order = dispute.order
    ExternalRef.objects.create(
        integration=market, kind=RefKind.ORDER, external_id=order_id, object_id=order.pk
    )
    for person, ext in (
        (order.buyer, f"u-{order.buyer.pk}"),
        (order.store.owner, f"u-{order.store.owner.pk}"),
    ):
        ExternalRef.objects.get_or_create(
            integration=market,
            kind=RefKind.USER,
            object_id=person.pk,
            defaults={"external_id": ext},
        )
    return dispute


def test_a_case_reads_with_items_offers_evidence_and_timeline(
    client, market, read_key, buyer, seller
):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    response = _get(client, read_key, f"/cases/{dispute.reference}")
    assert response.status_code == 200, response.content
    case = response.json()
    assert case["reference"] == dispute.reference
    assert (case["state"], case["stage"], case["reason"]) == (
        "awaiting_seller",
        "negotiation",
        "damaged",
    )
    assert case["order_external_id"] == "ord-1"
    assert case["buyer"]["external_id"] == f"u-{buyer.pk}"
    assert case["seller"]["external_id"] == f"u-{seller.pk}"
    assert case["items"] == [
        {
            "title": "Blue teapot",
            "quantity": 2,
            "ordered": 2,
            "unit_price": {"amount": "25.00", "currency": "USD"},
        }
    ]
    assert case["offers"][0] | {"created_at": None} == {
        "party": "buyer",
        "remedy": "partial_refund",
        "amount": {"amount": "20.00", "currency": "USD"},
        "note": case["offers"][0]["note"],
        "status": "current",
        "created_at": None,
        "lapsed_at": None,
    }
    photo = dispute.evidence.get()
    assert case["evidence"] == [
        {
            "id": str(photo.public_id),
            "party": "buyer",
            "uploaded_by": "buyer",
            "content_type": photo.content_type,
            "size": photo.size,
            "sha256": photo.sha256,
            "width": photo.width,
            "height": photo.height,
            "created_at": case["evidence"][0]["created_at"],
        }
    ]
    assert len(photo.sha256) == 64
    first = case["timeline"][0]
    assert first["actor"] == "buyer" and first["code"] and first["text"]
    assert first["at"].endswith("Z") or first["at"].endswith("+00:00")


def test_the_seller_sees_the_answer_due_and_what_silence_does(
    client, market, read_key, buyer, seller
):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    clock = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    case = _get(client, read_key, f"/cases/{dispute.reference}").json()
    seller_acts = {a["action"]: a for a in case["seller"]["available_actions"]}
    assert {"seller_accept", "seller_reject"} <= set(seller_acts)
    accept = seller_acts["seller_accept"]
    assert accept["clock"] == "seller_answer"
    due_by = datetime.fromisoformat(accept["due_by"])  # ISO 8601, UTC, to the millisecond
    assert due_by.utcoffset() == timedelta(0) and abs(due_by - clock.due_at) < timedelta(
        milliseconds=1
    )
    assert "the buyer will be refunded 20.00 USD" in accept["default_outcome"]
    buyer_acts = {a["action"] for a in case["buyer"]["available_actions"]}
    assert "buyer_cancel" in buyer_acts and "seller_accept" not in buyer_acts
    assert seller_acts["message"]["due_by"] is None


def test_no_action_is_offered_once_the_deadline_has_passed(client, market, read_key, buyer, seller):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    due = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER).due_at
    path = f"/cases/{dispute.reference}"
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        before = _get(client, read_key, path).json()["seller"]["available_actions"]
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        after = _get(client, read_key, path).json()
    assert "seller_accept" in {a["action"] for a in before}
    assert after["seller"]["available_actions"] == [] and after["buyer"]["available_actions"] == []


def test_an_accepted_claim_shows_the_refund_pending_and_the_offer_accepted(
    client, market, read_key, buyer, seller
):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    case = _get(client, read_key, f"/cases/{dispute.reference}").json()
    assert (case["state"], case["stage"]) == ("resolved", "closed")
    assert case["offers"][0]["status"] == "accepted"
    [refund] = case["refunds"]
    assert refund["amount"] == {"amount": "20.00", "currency": "USD"}
    assert refund["status"] in ("pending", "settled")
    assert any(e["actor"] == "seller" for e in case["timeline"])
    assert case["seller"]["available_actions"] == []


def test_offers_read_with_their_history(client, market, read_key, buyer, seller):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("10"))
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="Too much.", counter=counter
    )
    claim = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("15"))
    services.dispute_modify(dispute=dispute, actor=buyer, proposal=claim)
    offers = _get(client, read_key, f"/cases/{dispute.reference}").json()["offers"]
    assert [(o["party"], o["amount"]["amount"], o["status"]) for o in offers] == [
        ("buyer", "20.00", "superseded"),
        ("seller", "10.00", "lapsed"),
        ("buyer", "15.00", "current"),
    ]
    assert offers[1]["lapsed_at"] and all(o["created_at"] for o in offers)


def test_an_offer_left_standing_when_the_case_ends_reads_closed(
    client, market, read_key, buyer, seller
):
    dispute = _ours(market, open_dispute(buyer=buyer, seller=seller))
    services.dispute_cancel(dispute=dispute, actor=buyer)
    offers = _get(client, read_key, f"/cases/{dispute.reference}").json()["offers"]
    assert [(o["party"], o["status"]) for o in offers] == [("buyer", "closed")]


def test_a_key_never_sees_another_integrations_case(
    client, market, buyer, seller, other_buyer, other_seller
):
    ours = _ours(market, open_dispute(buyer=buyer, seller=seller))
    rival = Integration.objects.create(name="Souk")
    theirs = _ours(rival, open_dispute(buyer=other_buyer, seller=other_seller), "ord-x")
    _, rival_key = ApiKey.issue(rival, scope=Scope.WRITE)
    response = _get(client, rival_key, f"/cases/{ours.reference}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
    listed = _get(client, rival_key, "/cases").json()["items"]
    assert [c["reference"] for c in listed] == [theirs.reference]


def test_a_case_on_an_order_no_integration_sent_is_nobodys(client, market, read_key, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    assert _get(client, read_key, f"/cases/{dispute.reference}").status_code == 404
    assert _get(client, read_key, "/cases").json()["items"] == []


def _three_cases(market, buyer, seller, other_buyer):
    start = timezone.now() - timedelta(days=3)
    made = []
    for n, person in enumerate([buyer, other_buyer, buyer]):
        with time_machine.travel(start + timedelta(hours=n), tick=False):
            dispute = open_dispute(buyer=person, seller=seller)
        made.append(_ours(market, dispute, f"ord-{n}"))
    return made


def test_cases_come_a_page_at_a_time_least_recently_updated_first(
    client, market, read_key, buyer, seller, other_buyer
):
    made = _three_cases(market, buyer, seller, other_buyer)
    first = _get(client, read_key, "/cases", limit=2).json()
    assert [c["reference"] for c in first["items"]] == [d.reference for d in made[:2]]
    second = _get(client, read_key, "/cases", limit=2, cursor=first["next_cursor"]).json()
    assert [c["reference"] for c in second["items"]] == [made[2].reference]
    assert second["next_cursor"] is None


def test_cases_filter_by_state_and_updated_since(
    client, market, read_key, buyer, seller, other_buyer
):
    made = _three_cases(market, buyer, seller, other_buyer)
    services.dispute_seller_accept(dispute=made[0], actor=seller)
    resolved = _get(client, read_key, "/cases", state="resolved").json()["items"]
    assert [c["reference"] for c in resolved] == [made[0].reference]
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    recent = _get(client, read_key, "/cases", updated_since=since).json()["items"]
    assert [c["reference"] for c in recent] == [made[0].reference]


@pytest.mark.parametrize(
    "params, code",
    [
        ({"cursor": "not-a-cursor"}, "invalid_cursor"),
        ({"limit": 0}, "validation_failed"),
        ({"limit": 101}, "validation_failed"),
        ({"state": "bogus"}, "validation_failed"),
        ({"updated_since": "2026-01-01T00:00:00"}, "validation_failed"),  # no time zone
    ],
)
def test_bad_list_parameters_get_a_problem_naming_them(client, market, read_key, params, code):
    response = _get(client, read_key, "/cases", **params)
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    if code == "validation_failed":
        assert [e["field"] for e in body["errors"]] == list(params)


def test_refunds_show_amounts_as_decimal_strings(client, market, read_key, buyer, seller):
    dispute = _ours(
        market,
        open_dispute(
            buyer=buyer,
            seller=seller,
            proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("12.5")),
        ),
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    case = _get(client, read_key, f"/cases/{dispute.reference}").json()
    assert case["refunds"][0]["amount"]["amount"] == "12.50"
