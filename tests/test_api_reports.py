"""In: a carrier's tracking events (a return's delivery starts the seller's days at the event's
time) and the marketplace's refund reports (settled or failed, each once)."""

from datetime import timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from disputes import services
from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeEvent,
    Refund,
    RefundStatus,
    Remedy,
)
from integration.models import RefKind
from orders.models import Order, OrderState
from tests.api_helpers import PARCEL, market, send_order
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


@pytest.fixture
def m():
    return market("Bazaar")


def _in_transit(m, buyer, seller):
    claim = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET00000042"
    )
    m.owns(RefKind.ORDER, dispute.order, "o-1")
    dispute.refresh_from_db()
    return dispute


def _delivered(at):
    return {
        "carrier": "dhl",
        "tracking_number": "RET00000042",
        "status": "delivered",
        "occurred_at": at.isoformat(),
    }


class TestAReturnDeliveredEvent:
    def test_starts_the_sellers_days_at_the_events_time(self, client, m, buyer, seller):
        dispute = _in_transit(m, buyer, seller)
        delivered = dispute.return_shipped_at + timedelta(days=3)
        with time_machine.travel(delivered + timedelta(hours=5), tick=False):
            response = m.post(client, "/tracking-events", _delivered(delivered))
        assert response.json() == {"parcel": "return", "effect": "return_delivered"}
        dispute.refresh_from_db()
        assert dispute.return_delivered_at == delivered
        due = Deadline.objects.get(
            dispute=dispute, kind=DeadlineKind.RETURN_RECEIPT, status=DeadlineStatus.PENDING
        ).due_at
        assert due == delivered + timedelta(days=10)
        event = DisputeEvent.objects.get(dispute=dispute, code="disputes.return.delivered")
        assert event.actor_id is None and event.data["by"] == "carrier"
        assert "The carrier reported" in event.text

    def test_at_any_offset_is_the_same_moment_not_a_server_error(self, client, m, buyer, seller):
        # PostgreSQL refuses offsets past ±15:59, which Python (and so the schema) accepts.
        dispute = _in_transit(m, buyer, seller)
        delivered = dispute.return_shipped_at + timedelta(hours=1)
        far_east = delivered.astimezone(dt_timezone(timedelta(hours=23, minutes=59)))
        with time_machine.travel(delivered + timedelta(hours=2), tick=False):
            response = m.post(client, "/tracking-events", _delivered(far_east))
        assert response.status_code == 200, response.content
        dispute.refresh_from_db()
        assert dispute.return_delivered_at == delivered

    def test_sent_again_changes_nothing(self, client, m, buyer, seller):
        dispute = _in_transit(m, buyer, seller)
        delivered = dispute.return_shipped_at + timedelta(days=3)
        with time_machine.travel(delivered + timedelta(hours=5), tick=False):
            m.post(client, "/tracking-events", _delivered(delivered))
            again = m.post(client, "/tracking-events", _delivered(delivered))
            other_time = m.post(client, "/tracking-events", _delivered(delivered + SECOND))
        assert again.status_code == 200 and again.json()["effect"] == "already_recorded"
        assert other_time.status_code == 409
        dispute.refresh_from_db()
        assert dispute.return_delivered_at == delivered

    def test_in_the_future_is_refused(self, client, m, buyer, seller):
        dispute = _in_transit(m, buyer, seller)
        response = m.post(
            client, "/tracking-events", _delivered(timezone.now() + timedelta(hours=1))
        )
        assert response.status_code == 409
        dispute.refresh_from_db()
        assert dispute.return_delivered_at is None

    def test_of_another_integrations_return_is_not_found(self, client, m, buyer, seller):
        dispute = _in_transit(m, buyer, seller)
        other = market("Agora")
        response = other.post(client, "/tracking-events", _delivered(timezone.now()))
        assert response.status_code == 404
        dispute.refresh_from_db()
        assert dispute.return_delivered_at is None


def test_an_outbound_parcels_events_are_acknowledged_and_change_nothing(client, m):
    # The buyer confirms receipt, or the delivery time limit does: not the carrier.
    send_order(client, m)
    assert m.post(client, "/parcels", PARCEL).status_code == 201
    order = Order.objects.get()
    for status in ("shipped", "delivered"):
        event = {
            "carrier": PARCEL["carrier"],
            "tracking_number": PARCEL["tracking_number"],
            "status": status,
            "occurred_at": timezone.now().isoformat(),
        }
        response = m.post(client, "/tracking-events", event)
        assert response.json() == {"parcel": "parcel", "effect": "none"}
    order.refresh_from_db()
    assert order.state == OrderState.SHIPPED and order.received_at is None


@pytest.fixture
def refund(m, buyer, seller):
    """The seller accepted the buyer's claim of 20.00: a pending refund the marketplace pays."""
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    m.owns(RefKind.ORDER, dispute.order, "o-1")
    return Refund.objects.get(status=RefundStatus.PENDING)


def _report(client, m, refund, **body):
    return m.post(client, f"/refunds/{refund.pk}/settlement", body)


class TestRefundReports:
    def test_settled_once_with_the_providers_reference(self, client, m, refund):
        first = _report(client, m, refund, outcome="settled", provider_reference="re_1")
        assert first.status_code == 200 and first.json()["status"] == "settled"
        again = _report(client, m, refund, outcome="settled", provider_reference="re_1")
        assert again.status_code == 200
        refund.refresh_from_db()
        assert (refund.status, refund.provider_reference) == (RefundStatus.SETTLED, "re_1")

    @pytest.mark.parametrize(
        "body",
        [
            {"outcome": "settled", "provider_reference": "re_2"},
            {"outcome": "failed", "reason": "Card closed"},
        ],
    )
    def test_a_contradicting_report_is_refused(self, client, m, refund, body):
        _report(client, m, refund, outcome="settled", provider_reference="re_1")
        response = _report(client, m, refund, **body)
        assert response.status_code == 409
        refund.refresh_from_db()
        assert (refund.status, refund.provider_reference) == (RefundStatus.SETTLED, "re_1")

    def test_failed_once_and_the_buyer_is_told(self, client, m, refund):
        first = _report(client, m, refund, outcome="failed", reason="Card closed")
        assert first.json()["status"] == "failed"
        assert _report(client, m, refund, outcome="failed", reason="Card closed").status_code == 200
        refund.refresh_from_db()
        assert refund.failure_reason == "Card closed"
        failed = DisputeEvent.objects.filter(code__contains="refund", data__refund=refund.pk)
        assert failed.count() == 1

    def test_a_settled_report_names_the_reference(self, client, m, refund):
        response = _report(client, m, refund, outcome="settled")
        assert response.status_code == 422
        # the report's kind, then the field it needs
        assert response.json()["errors"][0]["field"] == "settled.provider_reference"

    def test_another_integrations_refund_is_not_found(self, client, refund):
        other = market("Agora")
        response = _report(client, other, refund, outcome="settled", provider_reference="re_1")
        assert response.status_code == 404
        refund.refresh_from_db()
        assert refund.status == RefundStatus.PENDING
