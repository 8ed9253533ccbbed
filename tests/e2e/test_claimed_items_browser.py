"""A claim about one item of a two-item order, in Chromium: the line picker, the amount's cap
shown at its field, and the item's name in the buyer's list and the case header."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_dispute_browser import _shot, _sign_in
from tests.factories import BuyerFactory, SellerFactory, two_item_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_claim_about_one_item_of_two(page: Page, live_server):
    buyer = BuyerFactory(username="bea", first_name="Bea", last_name="Buyer")
    seller = SellerFactory(username="sid", first_name="Sid", last_name="Seller")
    order = two_item_order(buyer=buyer, seller=seller)  # a kettle (30.00) and two mugs (10.00)
    base = live_server.url

    _sign_in(page, base, "bea")
    page.goto(f"{base}/buyer/orders/")
    expect(page.get_by_text("Blue kettle ×1, Mug ×2")).to_be_visible()
    page.goto(f"{base}/buyer/orders/{order.reference}/")
    page.get_by_role("link", name="Open a dispute").click()

    # Only the kettle is wrong; the buyer asks for more than it is worth.
    expect(page.get_by_role("group", name="Which items is your claim about?")).to_be_visible()
    page.get_by_label("Blue kettle").fill("1")
    page.get_by_label("Mug").fill("0")
    page.get_by_label("What went wrong?").select_option("wrong_item")
    page.get_by_label("Describe the problem").fill("A green kettle came instead of the blue one.")
    page.get_by_label("What would put it right?").select_option("partial_refund")
    page.get_by_label("Refund amount").fill("35.00")
    page.get_by_role("button", name="Open dispute").click()

    error = page.locator("#id_amount_error")
    expect(error).to_have_text(
        "The amount cannot be more than 30.00 USD, the value of the items you claim for."
    )
    expect(page.get_by_label("Refund amount")).to_have_value("35.00")
    _shot(page, "claim-item-amount-capped")

    page.get_by_label("Refund amount").fill("30.00")
    page.get_by_role("button", name="Open dispute").click()
    expect(page.get_by_role("heading", name="Waiting for the seller's answer")).to_be_visible()
    expect(page.locator(".case-items")).to_have_text("About: Blue kettle ×1")
    _shot(page, "claim-item-case-header")

    page.goto(f"{base}/buyer/disputes/")
    expect(page.get_by_text("Blue kettle ×1", exact=True)).to_be_visible()
