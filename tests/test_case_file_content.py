"""The case file's content: every section of a case that went the whole way, each audience's
file holding what that reader's case page shows (staff-only content only in staff's), words
in the reader's language, and a fixed number of queries however long the case."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.personal import speaking_to
from arbitration import services as arbitration
from casefile.content import build_case_file
from disputes import services
from tests.case_file_helpers import appealed_case
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db

PARTIES_AND_MARKET = ["buyer", "seller", "marketplace"]


@pytest.fixture
def case(buyer, seller, arbiter):
    return appealed_case(buyer=buyer, seller=seller, arbiter=arbiter)


def _file(case, audience, **kwargs):
    return build_case_file(case, audience=audience, **kwargs).model_dump(mode="json")


def test_a_case_decided_on_appeal_has_every_section(case, buyer, arbiter):
    cf = _file(case, "buyer")
    assert cf["reference"] == case.reference and cf["audience"] == "buyer"
    assert cf["order"]["payment"]["amount"] == {"amount": "50.00", "currency": "USD"}
    assert cf["order"]["buyer"] == {"role": "buyer", "name": buyer.display_name}
    assert cf["claim"]["items"][0]["title"] == "Blue teapot"
    assert (cf["claim"]["state"], cf["claim"]["outcome"]) == ("resolved", "refunded")
    offers = {(o["party"], o["amount"]["amount"], o["status"]) for o in cf["offers"]}
    # Not accepted and still standing when the arbiter decided: closed with the case.
    assert ("buyer", "20.00", "closed") in offers and ("seller", "5.00", "closed") in offers
    said = [(m["author"]["role"], m["text"]) for m in cf["messages"]]
    assert ("seller", "Lo enviamos bien.") in said
    assert ("buyer", "Appeal: It is broken beyond use.") in said
    box = next(e for e in cf["evidence"] if e["original_name"] == "box.jpg")
    assert box["submitted_by"]["role"] == "buyer" and len(box["sha256"]) == 64
    sent_with = next(m for m in cf["messages"] if m["text"] == "Here is the box.")
    assert box["id"] in sent_with["evidence"]
    assert box["caption"] == "Photo “box.jpg” from the buyer"
    ruling = cf["ruling"]
    assert (ruling["outcome"], ruling["amount"]["amount"], ruling["policy_clause"]) == (
        "partial_refund",
        "10.00",
        "damaged",
    )
    assert ruling["rationale"] == "The photos show the crack."
    assert len(ruling["cited_evidence"]) == 2
    assert ruling["arbiter"] == {"role": "arbiter", "name": arbiter.display_name}
    appeal = cf["appeal"]
    assert appeal["by"]["role"] == "buyer" and appeal["statement"] == "It is broken beyond use."
    assert (appeal["decision"]["upheld"], appeal["decision"]["outcome"]) == (False, "full_refund")
    assert [r["status"] for r in cf["ledger"]["refunds"]] == ["settled", "pending"]
    assert cf["ledger"]["refunded"]["amount"] == "50.00"
    assert cf["ledger"]["payout"]["amount"] == "0.00"
    assert cf["policy"] == {
        "version": case.policy.version,
        "url": f"{settings.PARLEY_SITE_URL}/policy/v{case.policy.version}/",
        "in_force_from": cf["policy"]["in_force_from"],
    }


def test_the_clocks_acts_carry_their_due_and_run_times(case):
    timeline = _file(case, "seller")["timeline"]
    codes = [event["code"] for event in timeline]
    assert codes[0] == "disputes.dispute.opened" and "disputes.dispute.appeal_decided" in codes
    by_clock = next(e for e in timeline if e["actor"] == "system" and e["clock"])
    assert by_clock["clock"] == "negotiation_limit"
    assert by_clock["due_at"] == by_clock["at"] and by_clock["ran_at"] > by_clock["due_at"]
    assert by_clock["actor_person"]["name"] == "Parley (automatic)"
    assert all(event["at"].endswith("Z") for event in timeline)


def _plant_staff_only(buyer, seller, arbiter):
    """A case with what only the arbiter's page shows: an assignee, typed languages, a
    provider's references, the seller's record."""
    with translation.override("es"):
        dispute = open_dispute(buyer=buyer, seller=seller, photos=[photo()])
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    dispute.refresh_from_db()
    return dispute


def test_staff_only_content_is_in_staffs_file_alone(buyer, seller, arbiter):
    dispute = _plant_staff_only(buyer, seller, arbiter)
    staff = _file(dispute, "staff")
    assert staff["staff"]["assignee"]["name"] == arbiter.display_name
    assert staff["staff"]["seller_record"]["disputes"] == 1
    assert staff["claim"]["description_language"] == "es"
    assert staff["order"]["payment"]["provider_reference"].startswith("pay_")
    for audience in PARTIES_AND_MARKET:
        cf = _file(dispute, audience)
        assert cf["staff"] is None
        assert cf["claim"]["description_language"] is None
        assert all(m["language"] is None for m in cf["messages"])
        text = json.dumps(cf, ensure_ascii=False)
        assert "target_at" not in text and "seller_record" not in text, audience
    for party in ("buyer", "seller"):
        cf = _file(dispute, party)
        assert cf["order"]["payment"]["provider_reference"] is None
        assert all(event["data"] == {} for event in cf["timeline"])


def test_only_the_marketplace_reads_its_own_order_id(case):
    assert _file(case, "marketplace", order_external_id="o-1")["order"]["external_id"] == "o-1"
    assert _file(case, "buyer", order_external_id="o-1")["order"]["external_id"] is None


def test_words_are_in_the_readers_language_and_zone(case, buyer):
    buyer.language, buyer.time_zone = "es", "America/Mexico_City"
    with speaking_to(buyer):
        cf = _file(case, "buyer")
    assert (cf["language"], cf["time_zone"]) == ("es", "America/Mexico_City")
    assert cf["claim"]["state_label"] != "Resolved"
    assert cf["claim"]["reason_label"] != "Damaged or defective"
    assert cf["order"]["placed_at"].endswith("Z")  # values stay in UTC


def _queries(dispute, audience):
    with CaptureQueriesContext(connection) as queries:
        build_case_file(dispute, audience=audience)
    return len(queries)


def test_the_file_reads_in_a_fixed_number_of_queries(buyer, seller, arbiter, case):
    dispute = _plant_staff_only(buyer, seller, arbiter)
    before = {audience: _queries(dispute, audience) for audience in ("buyer", "staff")}
    for n in range(4):
        services.dispute_post_message(
            dispute=dispute, actor=buyer if n % 2 else seller, body=f"More {n}", photos=[photo()]
        )
    assert {audience: _queries(dispute, audience) for audience in before} == before
    # The whole way (rulings with their cited evidence): one more, whatever their number.
    assert _queries(case, "buyer") == before["buyer"] + 1
    assert _queries(case, "staff") == before["staff"] + 1
