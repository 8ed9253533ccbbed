"""A confirm step in Chromium: withdrawing asks first, "Back" changes nothing, "Yes" withdraws."""

import pytest
from playwright.sync_api import Page, expect

from disputes.models import DisputeState
from tests.factories import BuyerFactory, SellerFactory, open_dispute

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_withdrawing_asks_first_and_back_changes_nothing(page: Page, live_server):
    buyer = BuyerFactory(username="bea")
    dispute = open_dispute(buyer=buyer, seller=SellerFactory(username="sid"))
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("bea")
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/disputes/{dispute.reference}/")
    page.get_by_role("link", name="Withdraw the dispute").click()
    expect(
        page.get_by_text(f"You are about to withdraw dispute {dispute.reference}")
    ).to_be_visible()
    expect(page.get_by_text("without your claim (Partial refund of 20.00 USD)")).to_be_visible()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", name="Waiting for the seller's answer")).to_be_visible()
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_SELLER

    page.get_by_role("link", name="Withdraw the dispute").click()
    page.get_by_role("button", name="Yes, withdraw the dispute").click()
    expect(page.get_by_text("You withdrew the dispute.")).to_be_visible()
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.CANCELLED
