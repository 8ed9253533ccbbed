"""The seller's work list in Chromium: the dashboard counts what needs the seller, and the
dispute list puts those cases first, the soonest due at the top, each with its due time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from disputes import services
from disputes.models import DeadlineKind, Remedy
from orders.models import Carrier
from tests.factories import open_dispute

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_seller_sees_the_soonest_due_work_first(page: Page, live_server, buyer, seller):
    answered = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=answered, actor=seller, explanation="No.")
    answer = open_dispute(buyer=buyer, seller=seller)
    proposal = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    returning = open_dispute(buyer=buyer, seller=seller, proposal=proposal)
    services.dispute_seller_accept(dispute=returning, actor=seller)
    services.dispute_ship_return(
        dispute=returning, actor=buyer, carrier=Carrier.UPS, tracking_number="1Z999"
    )
    returning.deadlines.filter(kind=DeadlineKind.RETURN_RECEIPT).update(
        due_at=timezone.now() + timedelta(days=1)
    )  # falls due before the answer

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("sid")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/seller/")
    block = page.get_by_text("Needs your answer")
    expect(block).to_be_visible()
    expect(page.get_by_text("Answer the claim: 1")).to_be_visible()
    expect(page.get_by_text("Confirm the return: 1")).to_be_visible()

    page.goto(f"{base}/seller/disputes/")
    text = page.locator("main").inner_text()
    first, second, third = (text.index(d.reference) for d in (returning, answer, answered))
    assert first < second < third
    expect(page.get_by_text("Confirm the return by").first).to_be_visible()
    expect(page.get_by_text("Answer the claim by").first).to_be_visible()
