"""A return's delivery is a recorded moment: the seller's confirmation or a staff entry starts
the seller's days to confirm the return; with none recorded, the return counts as delivered
at its shipment plus the policy's transit allowance. The buyer sees the store's return address
and who pays the postage with the tracking form."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import ActionRefused, StaleState
from disputes import services
from disputes.events import rules as by_rule
from disputes.events import shipping
from disputes.models import Deadline, DeadlineKind, DeadlineStatus, DisputeState, Refund, Remedy
from orders.models import PostagePayer
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)


def _due(dispute, kind):
    return Deadline.objects.get(dispute=dispute, kind=kind, status=DeadlineStatus.PENDING).due_at


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _returning(buyer, seller):
    claim = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    return dispute


def _in_transit(buyer, seller):
    dispute = _returning(buyer, seller)
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET00000042"
    )
    dispute.refresh_from_db()
    return dispute


def test_with_no_delivery_recorded_the_transit_allowance_applies(buyer, seller):
    dispute = _in_transit(buyer, seller)
    policy = dispute.policy
    assert policy.return_transit_days == 20
    expected = dispute.return_shipped_at + timedelta(
        days=policy.return_transit_days + policy.return_receipt_days
    )
    assert _due(dispute, DeadlineKind.RETURN_RECEIPT) == expected


class TestTheSellersDays:
    @pytest.mark.parametrize("late", [False, True])
    def test_run_from_the_recorded_delivery(self, buyer, seller, late):
        dispute = _in_transit(buyer, seller)
        delivered = dispute.return_shipped_at + timedelta(days=3)
        with _at(delivered):
            services.dispute_record_return_delivery(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.return_delivered_at == delivered
        due = _due(dispute, DeadlineKind.RETURN_RECEIPT)
        assert due == delivered + timedelta(days=10)
        with _at(due + SECOND if late else due - SECOND):
            if late:
                with pytest.raises(StaleState, match="days to confirm the return ended"):
                    services.dispute_confirm_return(dispute=dispute, actor=seller)
            else:
                services.dispute_confirm_return(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert [r.amount for r in Refund.objects.all()] == [Decimal("20.00")]
        codes = [e.code for e in dispute.events.order_by("id")]
        assert shipping.RETURN_DELIVERED.code in codes
        assert (by_rule.RETURN_RECEIPT.code in codes) == late

    def test_a_delivery_recorded_after_the_fallback_ran_out_is_too_late(self, buyer, seller):
        dispute = _in_transit(buyer, seller)
        due = _due(dispute, DeadlineKind.RETURN_RECEIPT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to confirm the return"):
            services.dispute_record_return_delivery(dispute=dispute, actor=seller)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED and dispute.return_delivered_at is None
        assert Refund.objects.count() == 1

    def test_a_delivery_is_recorded_once(self, buyer, seller):
        dispute = _in_transit(buyer, seller)
        services.dispute_record_return_delivery(dispute=dispute, actor=seller)
        with pytest.raises(StaleState, match="already recorded"):
            services.dispute_record_return_delivery(dispute=dispute, actor=seller)

    def test_the_buyer_cannot_record_it(self, buyer, seller):
        dispute = _in_transit(buyer, seller)
        with pytest.raises(ActionRefused, match="not allowed"):
            services.dispute_record_return_delivery(dispute=dispute, actor=buyer)


class TestStaffEntry:
    def test_staff_enter_the_carriers_delivery_time(self, client, buyer, seller, arbiter):
        dispute = _in_transit(buyer, seller)
        delivered = (dispute.return_shipped_at + timedelta(days=2)).replace(microsecond=0)
        client.force_login(arbiter)
        case = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
        assert "Returned parcel delivered" in case
        url = reverse("arbitration:record_return_delivery", args=[dispute.reference])
        with _at(delivered + timedelta(days=3)):
            client.post(url, {"delivered_at": f"{delivered:%Y-%m-%d %H:%M:%S}"})
        dispute.refresh_from_db()
        assert dispute.return_delivered_at == delivered
        assert _due(dispute, DeadlineKind.RETURN_RECEIPT) == delivered + timedelta(days=10)
        event = dispute.events.get(code=shipping.RETURN_DELIVERED.code)
        assert event.actor == arbiter and "Parley staff recorded" in event.text

    @pytest.mark.parametrize("days", [-1, 400])
    def test_a_delivery_before_the_shipment_or_in_the_future_is_refused(
        self, buyer, seller, arbiter, days
    ):
        dispute = _in_transit(buyer, seller)
        when = dispute.return_shipped_at + timedelta(days=days)
        with pytest.raises(ActionRefused, match="between the return's shipment and now"):
            services.dispute_record_return_delivery(
                dispute=dispute, actor=arbiter, delivered_at=when
            )
        dispute.refresh_from_db()
        assert dispute.return_delivered_at is None


class TestPages:
    def test_the_buyer_sees_the_return_address_and_postage_with_the_form(
        self, client, buyer, seller
    ):
        store = seller.store
        store.return_address = "Returns desk\n1 Quay Street\nBristol BS1 4DJ"
        store.return_postage_payer = PostagePayer.BUYER
        store.save()
        dispute = _returning(buyer, seller)
        client.force_login(buyer)
        for name in ("disputes:ship_return", "disputes:detail"):
            page = client.get(reverse(name, args=[dispute.reference])).content.decode()
            assert "1 Quay Street" in page
            assert "The buyer pays the return postage" in page

    def test_no_address_yet_says_so(self, client, buyer, seller):
        dispute = _returning(buyer, seller)
        client.force_login(buyer)
        page = client.get(reverse("disputes:ship_return", args=[dispute.reference]))
        assert "has not given a return address yet" in page.content.decode()

    def test_the_seller_sets_the_return_terms(self, client, seller):
        client.force_login(seller)
        url = reverse("orders:seller_store")
        data = {"return_address": "1 Quay Street, Bristol", "return_postage_payer": "buyer"}
        assert client.post(url, data).status_code == 302
        seller.store.refresh_from_db()
        assert seller.store.return_address == "1 Quay Street, Bristol"
        assert seller.store.return_postage_payer == PostagePayer.BUYER
        bad = client.post(url, {"return_address": "", "return_postage_payer": "nobody"})
        assert bad.status_code == 200 and "error" in bad.content.decode().lower()

    def test_the_seller_records_delivery_from_the_case_page(self, client, buyer, seller):
        dispute = _in_transit(buyer, seller)
        client.force_login(seller)
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
        assert "taken as delivered on" in page
        assert "The returned parcel was delivered today" in page
        client.post(reverse("disputes:record_return_delivery", args=[dispute.reference]))
        dispute.refresh_from_db()
        assert dispute.return_delivered_at is not None
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
        assert "The returned parcel was delivered today" not in page
