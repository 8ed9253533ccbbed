"""Standing follows the final word (policy.md): when an appeal replaces a ruling, the seller's
standing, penalties, the case page's signals and staff metrics count the appeal's decision,
not the first ruling, in both directions."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.metrics import metrics
from arbitration.selectors import seller_record
from arbitration.standing import disputes_behind, standing
from disputes import services
from tests.factories import ArbiterFactory, open_dispute

pytestmark = pytest.mark.django_db


def _decision(outcome, amount=None, violation=False):
    return arbitration.Decision(
        outcome=outcome,
        rationale="Decided on the photos.",
        policy_clause="damaged",
        amount=Decimal(amount) if amount else None,
        seller_violation=violation,
        penalty_note="Misleading listing" if violation else "",
    )


def _ruled(buyer, seller, arbiter, decision):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    dispute.refresh_from_db()
    return dispute


def _appealed_and_decided(dispute, appellant, *, uphold, decision):
    services.dispute_appeal(dispute=dispute, actor=appellant, statement="Look again.")
    other = ArbiterFactory(first_name="Bo", last_name="Other")
    assert arbitration.case_take_next(arbiter=other) == dispute
    arbitration.case_decide_appeal(dispute=dispute, arbiter=other, uphold=uphold, decision=decision)
    dispute.refresh_from_db()
    return dispute


def _figures(store):
    return {f.key: f.value for f in standing(store.pk, timezone.now(), 30)}


def test_an_appeal_for_the_buyer_makes_a_ruling_for_the_seller_a_bad_transaction(
    buyer, seller, arbiter
):
    dispute = _ruled(buyer, seller, arbiter, _decision("claim_rejected"))
    store = seller.store
    before = _figures(store)
    assert (before["bad"], before["against"], before["penalties"]) == ("0.0%", "0", "0")

    _appealed_and_decided(
        dispute, buyer, uphold=False, decision=_decision("partial_refund", "20", violation=True)
    )

    after = _figures(store)
    assert after["bad"] == "100.0%"  # 1 ruled against / 1 order shipped
    assert (after["against"], after["penalties"]) == ("1", "1")
    now = timezone.now()
    assert list(disputes_behind(store.pk, "bad", now, 30)) == [dispute]
    assert list(disputes_behind(store.pk, "penalties", now, 30)) == [dispute]
    record = seller_record(store.pk, now)
    assert (record.rulings_against, record.violations) == (1, 1)
    final = metrics(now)["final"]
    assert (final.decided, final.for_buyer, final.for_seller) == (1, 1, 0)
    assert (final.penalties, final.changed_on_appeal) == (1, 1)


def test_an_appeal_for_the_seller_lifts_the_penalty_and_the_bad_transaction(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter, _decision("partial_refund", "20", violation=True))
    store = seller.store
    before = _figures(store)
    assert (before["bad"], before["against"], before["penalties"]) == ("100.0%", "1", "1")
    assert metrics(timezone.now())["final"].penalties == 1

    _appealed_and_decided(dispute, seller, uphold=False, decision=_decision("claim_rejected"))

    after = _figures(store)
    assert (after["bad"], after["against"], after["penalties"]) == ("0.0%", "0", "0")
    now = timezone.now()
    assert not disputes_behind(store.pk, "bad", now, 30).exists()
    assert not disputes_behind(store.pk, "penalties", now, 30).exists()
    record = seller_record(store.pk, now)
    assert (record.rulings_against, record.violations) == (0, 0)
    final = metrics(now)["final"]
    assert (final.decided, final.for_buyer, final.for_seller) == (1, 0, 1)
    assert (final.penalties, final.changed_on_appeal) == (0, 1)


def test_an_upheld_ruling_counts_once_with_its_penalty(buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter, _decision("partial_refund", "20", violation=True))
    _appealed_and_decided(dispute, seller, uphold=True, decision=_decision(""))
    figures = _figures(seller.store)
    assert (figures["bad"], figures["against"], figures["penalties"]) == ("100.0%", "1", "1")
    final = metrics(timezone.now())["final"]
    assert (final.decided, final.for_buyer, final.penalties, final.changed_on_appeal) == (
        1,
        1,
        1,
        0,
    )


def test_the_seller_dashboard_shows_the_final_word(client, buyer, seller, arbiter):
    dispute = _ruled(buyer, seller, arbiter, _decision("partial_refund", "20", violation=True))
    _appealed_and_decided(dispute, seller, uphold=False, decision=_decision("claim_rejected"))
    client.force_login(seller)
    page = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert "0 ruled against you" in page
    listing = client.get(reverse("disputes:seller_list") + "?behind=penalties&days=30")
    assert list(listing.context["page"].object_list) == []


def test_metrics_name_reasons_and_outcomes_in_words(client, buyer, seller, arbiter):
    _ruled(buyer, seller, arbiter, _decision("partial_refund", "20"))
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:metrics")).content.decode()
    assert "Damaged or defective" in page and "Partially refunded" in page
    assert "partially_refunded" not in page and ">damaged<" not in page
    assert "Final decisions" in page
