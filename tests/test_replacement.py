"""A replacement is carried out like the other outcomes: the seller ships it with tracking
within the policy's days or the buyer is refunded; the buyer confirms receipt (or the clock
does at the delivery time limit); the dispute closes resolved by replacement and a new dispute
about it may be opened within the protection period from its receipt. Each clock at its edge,
one second either side, with no engine run (deadlines decide)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from arbitration import services as arbitration
from core.errors import StaleState
from disputes import services
from disputes.events import shipping
from disputes.models import (
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Reason,
    Refund,
    Remedy,
)
from disputes.rules import opening_window
from disputes.services.items import ClaimedItem
from orders import services as order_services
from orders.models import OrderState
from tests.factories import open_dispute, photo, two_item_order
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
SLIP = {"carrier": "dhl", "tracking_number": "NEW00000042", "delivery_days": 7}


def _due(dispute, kind):
    return Deadline.objects.get(dispute=dispute, kind=kind, status=DeadlineStatus.PENDING).due_at


def _at(moment):
    return time_machine.travel(moment, tick=False)


def _codes(dispute):
    return [event.code for event in dispute.events.order_by("id")]


def _agreed(buyer, seller):
    claim = services.Proposal(Remedy.REPLACEMENT)
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    return dispute


def _shipped(buyer, seller):
    dispute = _agreed(buyer, seller)
    services.dispute_ship_replacement(dispute=dispute, actor=seller, **SLIP)
    dispute.refresh_from_db()
    return dispute


class TestShipment:
    def test_an_agreed_replacement_waits_for_the_seller_with_the_policy_days(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        assert dispute.state == DisputeState.AWAITING_REPLACEMENT
        assert dispute.closed_at is None and dispute.holds_payout
        days = dispute.policy.replacement_ship_days
        assert days == 10
        assert _due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT) == dispute.agreed_at + timedelta(
            days=days
        )

    def test_shipped_one_second_early_is_on_its_way(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        due = _due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT)
        with _at(due - SECOND):
            services.dispute_ship_replacement(dispute=dispute, actor=seller, **SLIP)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.REPLACEMENT_IN_TRANSIT
        assert dispute.replacement_tracking_number == "NEW00000042"
        assert _due(dispute, DeadlineKind.REPLACEMENT_RECEIPT) == due - SECOND + timedelta(days=7)
        assert not Refund.objects.exists()

    def test_shipped_one_second_late_is_refused_and_the_buyer_refunded(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        due = _due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT)
        with _at(due + SECOND), pytest.raises(StaleState, match="days to ship the replacement"):
            services.dispute_ship_replacement(dispute=dispute, actor=seller, **SLIP)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert dispute.outcome == Outcome.REPLACEMENT_NOT_SHIPPED
        assert dispute.closed_at == due  # dated when the clock fell due
        assert dispute.replacement_shipped_at is None
        assert [r.amount for r in Refund.objects.all()] == [Decimal("50.00")]
        assert _codes(dispute)[-1] == shipping.REPLACEMENT_NOT_SHIPPED.code

    def test_the_engine_refunds_once_however_often_it_runs(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        with _at(_due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT) + SECOND):
            enforce_deadlines()
            enforce_deadlines()
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.REPLACEMENT_NOT_SHIPPED
        assert Refund.objects.count() == 1

    def test_only_the_seller_ships_it(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        with pytest.raises(Exception, match="not allowed"):
            services.dispute_ship_replacement(dispute=dispute, actor=buyer, **SLIP)

    def test_a_delivery_limit_beyond_the_policy_is_refused(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        with pytest.raises(Exception, match="between 1 and 90 days"):
            services.dispute_ship_replacement(
                dispute=dispute, actor=seller, **{**SLIP, "delivery_days": 91}
            )


class TestReceipt:
    def test_the_buyer_confirms_one_second_before_the_limit(self, buyer, seller):
        dispute = _shipped(buyer, seller)
        due = _due(dispute, DeadlineKind.REPLACEMENT_RECEIPT)
        with _at(due - SECOND):
            services.dispute_confirm_replacement(dispute=dispute, actor=buyer)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.RESOLVED
        assert dispute.outcome == Outcome.REPLACEMENT
        assert dispute.replacement_received_at == due - SECOND
        assert _codes(dispute)[-1] == shipping.REPLACEMENT_RECEIVED.code
        assert not Refund.objects.exists()

    def test_after_the_limit_receipt_is_confirmed_for_the_buyer(self, buyer, seller):
        dispute = _shipped(buyer, seller)
        due = _due(dispute, DeadlineKind.REPLACEMENT_RECEIPT)
        with _at(due + SECOND), pytest.raises(StaleState, match="taken as received"):
            services.dispute_confirm_replacement(dispute=dispute, actor=buyer)
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.REPLACEMENT
        assert dispute.replacement_received_at == due
        assert _codes(dispute)[-1] == shipping.REPLACEMENT_DEEMED_RECEIVED.code

    def test_only_the_buyer_confirms_it(self, buyer, seller):
        dispute = _shipped(buyer, seller)
        with pytest.raises(Exception, match="not allowed"):
            services.dispute_confirm_replacement(dispute=dispute, actor=seller)


class TestANewDisputeAboutTheReplacement:
    def test_the_window_runs_the_protection_period_from_the_replacements_receipt(
        self, buyer, seller
    ):
        dispute = _shipped(buyer, seller)
        received = _due(dispute, DeadlineKind.REPLACEMENT_RECEIPT) - SECOND
        with _at(received):
            services.dispute_confirm_replacement(dispute=dispute, actor=buyer)
        order = dispute.order
        order.refresh_from_db()
        assert order.state == OrderState.RECEIVED  # the goods reached the buyer
        ends = received + timedelta(days=order.policy.protection_days_after_receipt)
        assert order.protection_ends_at == ends
        assert opening_window(order, ends - SECOND).allowed
        assert not opening_window(order, ends + SECOND).allowed
        with _at(ends - SECOND):
            again = services.dispute_open(
                order=order,
                actor=buyer,
                reason=Reason.WRONG_ITEM,
                proposal=services.Proposal(Remedy.FULL_REFUND),
                description="The replacement is the wrong colour.",
            )
        assert again.state == DisputeState.AWAITING_SELLER

    def test_a_received_orders_protection_is_only_ever_moved_later(self, buyer, seller):
        dispute = _shipped(buyer, seller)
        order = dispute.order
        order.refresh_from_db()
        order_services.order_confirm_receipt(order=order, actor=buyer)
        order.refresh_from_db()
        first_end = order.protection_ends_at
        with _at(_due(dispute, DeadlineKind.REPLACEMENT_RECEIPT) - SECOND):
            services.dispute_confirm_replacement(dispute=dispute, actor=buyer)
        order.refresh_from_db()
        assert order.protection_ends_at > first_end


class TestRuledAndWithdrawn:
    def test_an_arbiter_can_rule_a_replacement(self, buyer, seller, arbiter):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        arbitration.case_take_next(arbiter=arbiter)
        decision = arbitration.Decision(
            outcome="replacement", rationale="Cracked.", policy_clause="damaged"
        )
        arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.AWAITING_REPLACEMENT
        assert dispute.appeal_open
        assert _due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT)
        services.dispute_ship_replacement(dispute=dispute, actor=seller, **SLIP)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.REPLACEMENT_IN_TRANSIT

    def test_the_buyer_may_withdraw_an_agreed_replacement(self, buyer, seller):
        dispute = _agreed(buyer, seller)
        services.dispute_cancel(dispute=dispute, actor=buyer)
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.CANCELLED
        assert not Deadline.objects.filter(dispute=dispute, status=DeadlineStatus.PENDING)


class TestPages:
    def test_the_seller_sees_the_shipping_form_with_its_due_time(self, client, buyer, seller):
        dispute = _agreed(buyer, seller)
        client.force_login(seller)
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
        assert "Ship the replacement" in page
        url = reverse("disputes:ship_replacement", args=[dispute.reference])
        form = client.get(url).content.decode()
        due = _due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT)
        assert f"{due:%-d %b %Y, %H:%M} UTC" in form
        response = client.post(url, {**SLIP, "tracking_number": "new 0000 0042"})
        assert response.status_code == 302
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.REPLACEMENT_IN_TRANSIT
        assert dispute.replacement_tracking_number == "NEW00000042"

    def test_a_bad_shipping_form_keeps_what_was_typed(self, client, buyer, seller):
        dispute = _agreed(buyer, seller)
        client.force_login(seller)
        url = reverse("disputes:ship_replacement", args=[dispute.reference])
        response = client.post(url, {**SLIP, "delivery_days": "0"})
        assert response.status_code == 200
        assert "NEW00000042" in response.content.decode()
        dispute.refresh_from_db()
        assert dispute.state == DisputeState.AWAITING_REPLACEMENT

    def test_the_buyer_sees_the_status_and_confirms_receipt(self, client, buyer, seller):
        dispute = _shipped(buyer, seller)
        client.force_login(buyer)
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
        assert "Your replacement is on its way" in page
        assert "NEW00000042" in page
        assert "The replacement arrived" in page
        client.post(reverse("disputes:confirm_replacement", args=[dispute.reference]))
        dispute.refresh_from_db()
        assert dispute.outcome == Outcome.REPLACEMENT
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
        assert "Resolved by replacement" in page
        assert "A new dispute about it" in page

    def test_no_shipping_offered_once_the_clock_ran_out(self, client, buyer, seller):
        dispute = _agreed(buyer, seller)
        client.force_login(seller)
        with _at(_due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT) + SECOND):
            page = client.get(reverse("disputes:detail", args=[dispute.reference]))
        assert "Ship the replacement</a>" not in page.content.decode()


def test_an_unshipped_replacement_of_one_item_refunds_that_items_value(buyer, seller):
    order = two_item_order(buyer=buyer, seller=seller, days_ago=6)
    mug = order.lines.get(title="Mug")
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.DAMAGED,
        proposal=services.Proposal(Remedy.REPLACEMENT),
        description="One mug arrived chipped.",
        photos=[photo()],
        items=[ClaimedItem(mug.pk, 1)],
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    dispute.refresh_from_db()
    with _at(_due(dispute, DeadlineKind.REPLACEMENT_SHIPMENT) + SECOND):
        enforce_deadlines()
    assert [r.amount for r in Refund.objects.filter(dispute=dispute)] == [Decimal("10.00")]
