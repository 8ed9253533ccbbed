"""Only the latest answer is on the table: a seller's counter-offer lapses when the buyer
changes the claim or the seller answers again, and a lapsed offer can no longer be accepted."""

from decimal import Decimal

import pytest

from core.errors import StaleState
from disputes import services
from disputes.events import people
from disputes.models import DisputeState, Party, Remedy
from disputes.selectors import current_offer
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def _counter(amount="5"):
    return services.Proposal(Remedy.PARTIAL_REFUND, Decimal(amount))


def _rejected(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="No.", counter=_counter()
    )
    offer = current_offer(dispute, Party.SELLER)
    assert offer is not None
    return dispute, offer


def test_a_changed_claim_takes_the_counter_offer_off_the_table(buyer, seller):
    dispute, offer = _rejected(buyer, seller)
    services.dispute_modify(
        dispute=dispute, actor=buyer, proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(9))
    )
    offer.refresh_from_db()
    assert offer.lapsed_at is not None
    assert current_offer(dispute, Party.SELLER) is None
    event = dispute.events.filter(code=people.MODIFIED.code).get()
    assert event.data["lapsed"]["id"] == offer.pk
    assert "the seller's offer of Partial refund of 5.00 USD lapsed" in event.text
    # The seller answers the new claim; the buyer cannot go back to the old offer.
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="Still no.")
    with pytest.raises(StaleState, match="That offer lapsed on"):
        services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_BUYER


def test_the_sellers_new_answer_takes_its_old_offer_off_the_table(buyer, seller):
    dispute, _offer = _rejected(buyer, seller)
    services.dispute_modify(
        dispute=dispute, actor=buyer, proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(9))
    )
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="No.", counter=_counter("7")
    )
    newest = current_offer(dispute, Party.SELLER)
    assert newest is not None and newest.amount == Decimal("7.00")
    services.dispute_modify(
        dispute=dispute, actor=buyer, proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(8))
    )
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No, no offer.")
    newest.refresh_from_db()
    assert newest.lapsed_at is not None
    assert current_offer(dispute, Party.SELLER) is None


def test_the_latest_offer_can_be_accepted(buyer, seller):
    dispute, offer = _rejected(buyer, seller)
    services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED
    assert dispute.agreed_offer_id == offer.pk
