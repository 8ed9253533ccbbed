"""Withdrawal: the buyer may withdraw any time before a ruling, an agreed return not yet
refunded included; the clocks stop and nothing is refunded. After a ruling it is too late."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from core.errors import StaleState
from disputes import services
from disputes.models import (
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Refund,
    Remedy,
)
from disputes.selectors import dispute_actions
from tests.factories import open_dispute, ruled_dispute

pytestmark = pytest.mark.django_db


def _agreed_return(buyer, seller, shipped):
    claim = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    if shipped:
        services.dispute_ship_return(
            dispute=dispute, actor=buyer, carrier="dhl", tracking_number="JD1"
        )
    dispute.refresh_from_db()
    return dispute


@pytest.mark.parametrize("shipped", [False, True], ids=["awaiting_return", "in_transit"])
def test_an_agreed_return_can_be_withdrawn(buyer, seller, shipped):
    dispute = _agreed_return(buyer, seller, shipped)
    assert "buyer_cancel" in dispute_actions(dispute, buyer)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.CANCELLED
    assert dispute.closed_at is not None
    assert not dispute.deadlines.filter(status=DeadlineStatus.PENDING).exists()
    assert not Refund.objects.exists()


def test_a_ruled_return_cannot_be_withdrawn(buyer, seller, arbiter):
    dispute = ruled_dispute(
        buyer=buyer, seller=seller, arbiter=arbiter, outcome="return_then_refund", amount="20"
    )
    assert dispute.state == DisputeState.AWAITING_RETURN
    assert "buyer_cancel" not in dispute_actions(dispute, buyer)
    with pytest.raises(StaleState, match="can no longer be withdrawn"):
        services.dispute_cancel(dispute=dispute, actor=buyer)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_RETURN


def test_withdrawing_a_return_after_its_10_days_finds_it_closed(buyer, seller):
    dispute = _agreed_return(buyer, seller, shipped=False)
    clock = dispute.deadlines.get(kind=DeadlineKind.RETURN_SHIPMENT, status=DeadlineStatus.PENDING)
    assert clock.due_at is not None
    with time_machine.travel(clock.due_at - timedelta(seconds=1), tick=False):
        assert "buyer_cancel" in dispute_actions(dispute, buyer)
    with (
        time_machine.travel(clock.due_at + timedelta(seconds=1), tick=False),
        pytest.raises(StaleState, match="days to ship the return ended"),
    ):
        services.dispute_cancel(dispute=dispute, actor=buyer)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED
    assert dispute.outcome == Outcome.RETURN_NOT_SHIPPED
