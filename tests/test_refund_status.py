"""Refunds show their status: being paid (with the latest day expected, from the policy's
business days), paid on a day, or failed with what happens next; on the buyer's dispute page
and order page. Not "Paid" the moment they are recorded."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.moments import business_days_after
from disputes import services
from disputes.models import Refund, RefundStatus
from disputes.presenters import refund_line
from disputes.settlement import refund_settle
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

THURSDAY = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_business_days_skip_weekends():
    assert business_days_after(THURSDAY, 1) == datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    assert business_days_after(THURSDAY, 2) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert business_days_after(THURSDAY, 15) == datetime(2026, 12, 24, 10, 0, tzinfo=UTC)


def _refunded(buyer, seller):
    with time_machine.travel(THURSDAY, tick=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    return dispute, Refund.objects.get(dispute=dispute)


def test_a_recorded_refund_is_being_paid_not_paid(buyer, seller):
    dispute, refund = _refunded(buyer, seller)
    assert refund.status == RefundStatus.PENDING
    days = dispute.policy.refund_arrival_business_days
    line = refund_line(refund)
    assert line.status == RefundStatus.PENDING
    assert line.words == (
        "Being paid to the original payment method: expected by "
        f"{business_days_after(THURSDAY, days):%-d %b %Y}."
    )
    assert "24 Dec 2026" in line.words  # 15 business days after a Thursday


def test_a_settled_refund_says_when_it_was_paid(buyer, seller):
    _, refund = _refunded(buyer, seller)
    with time_machine.travel(datetime(2026, 12, 9, 8, 0, tzinfo=UTC), tick=False):
        refund = refund_settle(refund_id=refund.pk)
    assert refund_line(refund).words == "Paid on 9 Dec 2026."


def test_the_buyers_pages_show_the_status(client, buyer, seller):
    dispute, _ = _refunded(buyer, seller)
    client.force_login(buyer)
    for url in (
        reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference}),
        f"/buyer/orders/{dispute.order.reference}/",
    ):
        page = client.get(url).content.decode()
        assert "20.00 USD · recorded 3 Dec 2026 · Being paid" in page, url
        assert "expected by 24 Dec 2026" in page, url
    assert Decimal("20.00") == dispute.refunds.get().amount
