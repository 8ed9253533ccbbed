"""Claims about items (policy.md, "items"): the buyer names the order lines and quantities a claim
is about; what is asked is capped by their value and by what is still refundable; the items are
named wherever the claim is listed or headed."""

from decimal import Decimal

import pytest

from arbitration import services as arbitration
from core.errors import ActionRefused
from disputes import services
from disputes.models import ClaimedLine, Dispute, DisputeState, Remedy
from disputes.services.items import ClaimedItem, dispute_cap
from tests.factories import open_dispute, two_item_order

KETTLE, MUG = "Blue kettle", "Mug"


def _lines(order):
    return {line.title: line for line in order.lines.all()}


def _open(order, buyer, *, items, remedy=Remedy.PARTIAL_REFUND, amount=None):
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason="wrong_item",
        proposal=services.Proposal(remedy, None if amount is None else Decimal(amount)),
        description="Not what the listing showed.",
        items=items,
    )


def _kettle(order, quantity=1):
    return [ClaimedItem(_lines(order)[KETTLE].pk, quantity)]


def _mugs(order, quantity):
    return [ClaimedItem(_lines(order)[MUG].pk, quantity)]


# --- What the claim is about -------------------------------------------------------------------


def test_a_claim_about_one_item_of_two_keeps_that_line_and_quantity(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_mugs(order, 1), amount="10.00")
    claimed = ClaimedLine.objects.get(dispute=dispute)
    assert (claimed.line.title, claimed.quantity) == (MUG, 1)
    assert dispute.items_label == "Mug ×1"
    opened = dispute.events.get(code="disputes.dispute.opened")
    assert opened.text.startswith("Dispute opened (Wrong item) about Mug ×1;")


@pytest.mark.parametrize(
    ("amount", "refused"),
    [("30.00", False), ("30.01", True)],
)
def test_the_amount_asked_is_capped_by_the_claimed_items_value(buyer, seller, amount, refused):
    order = two_item_order(buyer=buyer, seller=seller)
    if refused:
        with pytest.raises(ActionRefused, match=r"more than 30\.00 USD, the value of the items"):
            _open(order, buyer, items=_kettle(order), amount=amount)
        assert not Dispute.objects.exists()
    else:
        assert _open(order, buyer, items=_kettle(order), amount=amount).claimed_amount == 30


def test_a_full_refund_is_the_claimed_items_value(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_mugs(order, 2), remedy=Remedy.FULL_REFUND)
    assert dispute.claimed_amount == Decimal("20.00")
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert [r.amount for r in order.refunds.all()] == [Decimal("20.00")]


def test_the_cap_is_what_is_still_refundable_when_that_is_less(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    first = _open(order, buyer, items=_mugs(order, 2), amount="15.00")
    services.dispute_seller_accept(dispute=first, actor=seller)  # 15.00 refunded, 35.00 left
    first.refresh_from_db()
    assert first.state == DisputeState.RESOLVED
    # Two disputes of one order: the second can ask for the kettle (30.00) and the rest.
    with pytest.raises(ActionRefused, match=r"more than 35\.00 USD, what was paid and not yet"):
        _open(order, buyer, items=_kettle(order) + _mugs(order, 2), amount="35.01")
    second = _open(order, buyer, items=_kettle(order), remedy=Remedy.FULL_REFUND)
    assert second.claimed_amount == Decimal("30.00")


def test_the_whole_order_in_full_is_capped_by_what_was_paid_only(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_kettle(order) + _mugs(order, 2), amount="50.00")
    assert dispute_cap(dispute) is None and dispute.claimed_amount == 50


@pytest.mark.parametrize(
    ("items", "error"),
    [
        (lambda order: [], "at least one item"),
        (lambda order: _mugs(order, 3), "1 to 2 of “Mug”"),
        (lambda order: _mugs(order, 0), "1 to 2 of “Mug”"),
        (lambda order: _mugs(order, 1) + _mugs(order, 1), "each once"),
        (lambda order: [ClaimedItem(10**9, 1)], "items of this order"),
    ],
)
def test_a_claim_naming_no_item_or_too_many_is_refused(buyer, seller, items, error):
    order = two_item_order(buyer=buyer, seller=seller)
    with pytest.raises(ActionRefused, match=error):
        _open(order, buyer, items=items(order), amount="5.00")
    assert not Dispute.objects.exists()


def test_a_line_of_another_order_is_refused(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    other = two_item_order(buyer=buyer, seller=seller)
    with pytest.raises(ActionRefused, match="items of this order"):
        _open(order, buyer, items=_kettle(other), amount="5.00")


def test_the_factory_claims_the_whole_order_when_it_names_no_items(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    assert dispute.items_label == "Blue teapot ×2"
    assert dispute.claimed_lines.count() == 1


# --- Changing the claim, answering it, ruling on it --------------------------------------------


def test_modifying_the_claim_may_change_its_items_with_the_same_caps(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_mugs(order, 1), amount="10.00")
    with pytest.raises(ActionRefused, match=r"more than 20\.00 USD, the value of the items"):
        services.dispute_modify(
            dispute=dispute,
            actor=buyer,
            proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("25.00")),
            items=_mugs(order, 2),
        )
    services.dispute_modify(
        dispute=dispute,
        actor=buyer,
        proposal=services.Proposal(Remedy.FULL_REFUND),
        items=_kettle(order),
    )
    dispute.refresh_from_db()
    assert dispute.items_label == "Blue kettle ×1" and dispute.claimed_amount == 30
    modified = dispute.events.get(code="disputes.dispute.modified")
    assert "about Blue kettle ×1" in modified.text


def test_modifying_only_the_amount_keeps_the_items_and_their_cap(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_kettle(order), amount="10.00")
    with pytest.raises(ActionRefused, match=r"more than 30\.00 USD"):
        services.dispute_modify(
            dispute=dispute,
            actor=buyer,
            proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("40.00")),
        )
    assert dispute.items_label == "Blue kettle ×1"


def test_a_counter_offer_and_a_ruling_in_full_are_capped_by_the_items(buyer, seller, arbiter):
    order = two_item_order(buyer=buyer, seller=seller)
    dispute = _open(order, buyer, items=_kettle(order), amount="30.00")
    with pytest.raises(ActionRefused, match=r"more than 30\.00 USD"):
        services.dispute_seller_reject(
            dispute=dispute,
            actor=seller,
            explanation="No.",
            counter=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("31.00")),
        )
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    decision = arbitration.Decision(outcome="full_refund", rationale="r", policy_clause="damaged")
    arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    assert [r.amount for r in order.refunds.all()] == [Decimal("30.00")]


def test_a_dispute_from_before_items_is_about_the_whole_order(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=services.Proposal("full_refund"))
    dispute.claimed_lines.all().delete()  # as disputes opened before claims named items
    assert dispute.items_label == "Blue teapot ×2" and dispute_cap(dispute) is None
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert [r.amount for r in dispute.order.refunds.all()] == [Decimal("50.00")]
