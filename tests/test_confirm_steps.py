"""Acts that cannot be undone ask first, without JavaScript: the act's URL shows a confirm step
naming the amounts and what follows; only the step's own POST (`confirmed`) carries it out."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arbitration import services as arbitration
from disputes import selectors, services
from disputes.models import DisputeState, Party, Refund, Remedy
from tests.factories import ArbiterFactory, open_dispute, ruled_dispute

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _url(name, dispute, **kwargs):
    return reverse(f"disputes:{name}", kwargs={"dispute_ref": dispute.reference, **kwargs})


@pytest.fixture
def claim(buyer, seller):
    """A partial refund of 20.00 of the 50.00 USD paid, waiting for the seller."""
    return open_dispute(buyer=buyer, seller=seller)


@pytest.fixture
def countered(claim, seller):
    """The seller rejected the claim and offered 12.50 USD."""
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("12.50"))
    services.dispute_seller_reject(dispute=claim, actor=seller, explanation="No.", counter=counter)
    return claim


# --- The seller accepts the claim ----------------------------------------------------------------


def test_the_seller_is_asked_before_accepting_and_told_the_amounts(client, seller, claim):
    offer = selectors.current_offer(claim, Party.BUYER)
    client.force_login(seller)
    page = _text(client.get(_url("seller_accept", claim) + f"?offer={offer.pk}"))
    assert "You are about to accept the buyer's claim: Partial refund of 20.00 USD" in page
    assert "20.00 USD is refunded to the buyer's original payment method" in page
    assert "The seller keeps 30.00 USD of the 50.00 USD paid." in page
    assert "This cannot be undone." in page
    assert f'name="offer" value="{offer.pk}"' in page
    claim.refresh_from_db()
    assert claim.state == DisputeState.AWAITING_SELLER


def test_a_post_without_confirmation_shows_the_step_and_accepts_nothing(client, seller, claim):
    offer = selectors.current_offer(claim, Party.BUYER)
    client.force_login(seller)
    response = client.post(_url("seller_accept", claim), {"offer": offer.pk})
    assert response.status_code == 200
    page = _text(response)
    assert "You are about to accept the buyer's claim" in page
    assert f'name="offer" value="{offer.pk}"' in page  # what was posted, kept
    claim.refresh_from_db()
    assert claim.state == DisputeState.AWAITING_SELLER
    assert not Refund.objects.exists()


def test_the_confirmed_post_accepts_the_claim(client, seller, claim):
    offer = selectors.current_offer(claim, Party.BUYER)
    client.force_login(seller)
    response = client.post(_url("seller_accept", claim), {"offer": offer.pk, "confirmed": "1"})
    assert response["Location"] == _url("detail", claim)
    claim.refresh_from_db()
    assert claim.state == DisputeState.RESOLVED
    assert Refund.objects.get().amount == Decimal("20.00")


def test_a_return_claim_says_the_item_goes_back_first(client, buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    client.force_login(seller)
    page = _text(client.get(_url("seller_accept", dispute)))
    assert "The buyer sends the item back with tracking within 10 days" in page
    assert "50.00 USD is refunded once the seller confirms it arrived" in page


def test_a_replacement_claim_says_it_is_shipped_or_refunded_and_does_not_close_yet(
    client, buyer, seller
):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.REPLACEMENT)
    )
    client.force_login(seller)
    page = _text(client.get(_url("seller_accept", dispute)))
    assert (
        f"ships a replacement with tracking within {dispute.policy.replacement_ship_days} days"
        in page
    )
    assert "If it is not shipped in time, 50.00 USD is refunded to the buyer's" in page
    assert "The dispute closes when the replacement arrives." in page
    assert "The dispute closes." not in page


def test_the_step_for_a_claim_changed_meanwhile_is_a_409(client, buyer, seller, claim):
    first = selectors.current_offer(claim, Party.BUYER)
    services.dispute_modify(
        dispute=claim, actor=buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    client.force_login(seller)
    response = client.get(_url("seller_accept", claim) + f"?offer={first.pk}")
    assert response.status_code == 409
    assert "read the new one" in _text(response)


# --- The buyer accepts the seller's offer ---------------------------------------------------------


def test_the_buyer_is_asked_before_accepting_an_offer(client, buyer, countered):
    offer = selectors.current_offer(countered, Party.SELLER)
    client.force_login(buyer)
    url = _url("accept_offer", countered, offer_id=offer.pk)
    page = _text(client.get(url))
    assert "You are about to accept the seller's offer: Partial refund of 12.50 USD" in page
    assert "12.50 USD is refunded to your original payment method" in page
    assert "up to 15 business days" in page
    assert "Your own claim (Partial refund of 20.00 USD) is no longer on the table" in page
    assert "This cannot be undone." in page

    response = client.post(url)  # the old one-click form: no confirmation
    assert "You are about to accept" in _text(response)
    countered.refresh_from_db()
    assert countered.state == DisputeState.AWAITING_BUYER
    assert not Refund.objects.exists()

    client.post(url, {"confirmed": "1"})
    countered.refresh_from_db()
    assert countered.state == DisputeState.RESOLVED
    assert Refund.objects.get().amount == Decimal("12.50")


def test_the_step_for_an_offer_no_longer_on_the_table_is_a_409(client, buyer, countered):
    offer = selectors.current_offer(countered, Party.SELLER)
    services.dispute_modify(
        dispute=countered, actor=buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    client.force_login(buyer)
    response = client.get(_url("accept_offer", countered, offer_id=offer.pk))
    assert response.status_code == 409


# --- The buyer withdraws ------------------------------------------------------------------------


def test_the_buyer_is_asked_before_withdrawing(client, buyer, claim):
    client.force_login(buyer)
    page = _text(client.get(_url("cancel", claim)))
    assert f"You are about to withdraw dispute {claim.reference}" in page
    assert "without your claim (Partial refund of 20.00 USD)" in page
    assert "the seller keeps the payment" in page
    assert "This cannot be undone." in page

    client.post(_url("cancel", claim))
    claim.refresh_from_db()
    assert claim.state == DisputeState.AWAITING_SELLER

    client.post(_url("cancel", claim), {"confirmed": "1"})
    claim.refresh_from_db()
    assert claim.state == DisputeState.CANCELLED


def test_withdrawing_an_agreed_return_says_the_refund_is_not_paid(client, buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.RETURN_AND_REFUND)
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    client.force_login(buyer)
    page = _text(client.get(_url("cancel", dispute)))
    assert "The agreed refund (Return and refund of 50.00 USD) is not paid" in page


def test_no_step_is_offered_for_an_act_no_longer_possible(client, buyer, claim):
    services.dispute_cancel(dispute=claim, actor=buyer)
    client.force_login(buyer)
    response = client.get(_url("cancel", claim))
    assert response["Location"] == _url("detail", claim)


def test_the_case_page_links_to_the_steps(client, buyer, seller, countered):
    client.force_login(buyer)
    page = _text(client.get(_url("detail", countered)))
    offer = selectors.current_offer(countered, Party.SELLER)
    assert f'href="{_url("accept_offer", countered, offer_id=offer.pk)}"' in page
    assert f'href="{_url("cancel", countered)}"' in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [("other_buyer", 404), ("seller", 404), ("other_seller", 404), ("arbiter", 404)],
)
def test_only_the_buyer_sees_the_withdraw_step(client, request, claim, who, expected):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("cancel", claim)).status_code == expected


@pytest.mark.parametrize("who", ["buyer", "other_seller", "arbiter", "other_buyer"])
def test_only_the_seller_sees_the_accept_step(client, request, claim, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(_url("seller_accept", claim)).status_code == 404


# --- The arbiter rules ----------------------------------------------------------------------------


@pytest.fixture
def held(buyer, seller, arbiter, countered):
    """Escalated after the seller's counter-offer, and taken by `arbiter`."""
    services.dispute_escalate_by_buyer(dispute=countered, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    return countered


def _rule_url(dispute, name="rule"):
    return reverse(f"arbitration:{name}", args=[dispute.reference])


def _ruling(**overrides):
    return {
        "outcome": "partial_refund",
        "amount": "15.00",
        "policy_clause": "damaged",
        "rationale": "The crack shows in the first photo.",
        "seller_violation": "on",
        "penalty_note": "Sold a cracked lid as new.",
    } | overrides


def test_the_arbiter_is_asked_before_ruling_and_told_the_amounts(client, arbiter, held):
    client.force_login(arbiter)
    response = client.post(_rule_url(held), _ruling())
    assert response.status_code == 200
    page = _text(response)
    assert f"You are about to rule on dispute {held.reference}: Refund in part" in page
    assert "15.00 USD is refunded to the buyer's original payment method at once" in page
    assert "A rule violation is recorded against the seller: Sold a cracked lid as new." in page
    assert "appeal once within 7 days" in page
    assert "You cannot change the ruling afterwards" in page
    # What was typed goes through the step, to be confirmed or taken back to the form.
    assert 'name="rationale" value="The crack shows in the first photo."' in page
    held.refresh_from_db()
    assert held.state == DisputeState.ESCALATED and not held.rulings.exists()
    assert not Refund.objects.exists()


def test_the_confirmed_ruling_is_carried_out(client, arbiter, held):
    client.force_login(arbiter)
    client.post(_rule_url(held), _ruling(confirmed="1"))
    held.refresh_from_db()
    assert held.state == DisputeState.RESOLVED
    assert Refund.objects.get().amount == Decimal("15.00")


def test_a_replacement_ruling_promises_no_refund_at_once(client, arbiter, held):
    client.force_login(arbiter)
    response = client.post(_rule_url(held), _ruling(outcome="replacement", amount=""))
    assert response.status_code == 200
    page = _text(response)
    assert (
        f"ships a replacement with tracking within {held.policy.replacement_ship_days} days" in page
    )
    assert "If it is not shipped in time, 50.00 USD is refunded" in page
    assert "refunded to the buyer's original payment method at once" not in page
    held.refresh_from_db()
    assert held.state == DisputeState.ESCALATED and not held.rulings.exists()


def test_back_from_the_step_shows_the_form_as_typed(client, arbiter, held):
    client.force_login(arbiter)
    response = client.post(_rule_url(held), _ruling(back="1"))
    assert response.status_code == 200
    page = _text(response)
    assert "The crack shows in the first photo." in page and 'value="15.00"' in page
    held.refresh_from_db()
    assert held.state == DisputeState.ESCALATED


def test_an_amount_above_what_can_be_refunded_is_refused_before_the_step(client, arbiter, held):
    client.force_login(arbiter)
    response = client.post(_rule_url(held), _ruling(amount="80.00"))
    assert response.status_code == 400
    assert "cannot be more than 50.00 USD" in _text(response)


def test_a_full_refund_names_what_is_still_refundable(client, arbiter, held):
    client.force_login(arbiter)
    page = _text(client.post(_rule_url(held), _ruling(outcome="full_refund", amount="")))
    assert "50.00 USD is refunded to the buyer's original payment method" in page


def test_an_appeal_decision_is_asked_first_and_names_the_further_refund(client, buyer, seller):
    first, second = ArbiterFactory(username="first"), ArbiterFactory(username="second")
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=first, amount="10")
    services.dispute_appeal(dispute=dispute, actor=buyer, statement="More was broken.")
    arbitration.case_take_next(arbiter=second)
    client.force_login(second)
    data = {
        "decision": "replace",
        "outcome": "partial_refund",
        "amount": "25.00",
        "policy_clause": "damaged",
        "rationale": "Both parts were broken.",
    }
    page = _text(client.post(_rule_url(dispute, "decide_appeal"), data))
    assert "You are about to replace the ruling" in page
    assert "15.00 USD is refunded to the buyer's original payment method" in page
    assert "on top of the 10.00 USD this dispute already refunded" in page
    assert "This decision is final" in page
    dispute.refresh_from_db()
    assert dispute.final_at is None

    client.post(_rule_url(dispute, "decide_appeal"), data | {"confirmed": "1"})
    dispute.refresh_from_db()
    assert dispute.final_at is not None
    assert sorted(r.amount for r in Refund.objects.all()) == [Decimal("10.00"), Decimal("15.00")]


def test_the_step_is_not_offered_once_the_sellers_time_has_run_out(client, seller, claim):
    due = claim.deadlines.get(kind="seller_answer").due_at
    client.force_login(seller)
    with time_machine.travel(due - timedelta(seconds=1), tick=False):
        assert client.get(_url("seller_accept", claim)).status_code == 200
    with time_machine.travel(due + timedelta(seconds=1), tick=False):
        response = client.get(_url("seller_accept", claim))
        assert response["Location"] == _url("detail", claim)
    claim.refresh_from_db()
    assert claim.state == DisputeState.AWAITING_SELLER  # a page decides nothing; the act would
