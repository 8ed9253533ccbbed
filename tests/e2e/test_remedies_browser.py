"""Remedies carried out in Chromium: a replacement the seller ships with tracking and the
buyer confirms; a return sent to the store's address (with who pays the postage), its delivery
recorded by the seller, then confirmed and refunded."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from disputes import services
from disputes.models import Remedy
from orders.models import PostagePayer
from tests.factories import BuyerFactory, SellerFactory, open_dispute

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_a_replacement_shipped_and_received(page: Page, live_server):
    buyer, seller = BuyerFactory(username="bea"), SellerFactory(username="sid")
    claim = services.Proposal(Remedy.REPLACEMENT)
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    base, case_url = live_server.url, f"{live_server.url}/disputes/{dispute.reference}/"

    _sign_in(page, base, "sid")
    page.goto(case_url)
    page.get_by_role("link", name="Accept the claim: Replacement").click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_role("button", name="Yes, accept: Replacement").click()
    expect(page.get_by_role("heading", name="Ship the replacement")).to_be_visible()
    page.get_by_role("link", name="Ship the replacement").click()
    expect(page.get_by_text("if it is not shipped by then, the buyer is refunded")).to_be_visible()
    page.get_by_label("Carrier").select_option("dhl")
    page.get_by_label("Tracking number").fill("NEW 0000 0042")
    page.get_by_label("Delivery time limit (days)").fill("7")
    page.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_text("Replacement shipped.")).to_be_visible()
    _shot(page, "replacement-shipped-seller")

    _sign_in(page, base, "bea")
    page.goto(case_url)
    expect(page.get_by_role("heading", name="Your replacement is on its way")).to_be_visible()
    expect(page.locator(".facts").get_by_text("NEW00000042")).to_be_visible()
    page.get_by_role("button", name="The replacement arrived").click()
    expect(page.get_by_text("Resolved by replacement").first).to_be_visible()
    expect(page.get_by_text("A new dispute about it", exact=True)).to_be_visible()
    _shot(page, "replacement-received-buyer")


def test_a_return_with_its_address_and_delivery(page: Page, live_server):
    buyer, seller = BuyerFactory(username="bea"), SellerFactory(username="sid")
    claim = services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("20"))
    dispute = open_dispute(buyer=buyer, seller=seller, proposal=claim)
    services.dispute_seller_accept(dispute=dispute, actor=dispute.order.store.owner)
    base, case_url = live_server.url, f"{live_server.url}/disputes/{dispute.reference}/"

    _sign_in(page, base, "sid")
    page.goto(f"{base}/seller/store/")
    page.get_by_label("Return address").fill("Returns desk\n1 Quay Street\nBristol BS1 4DJ")
    page.get_by_label(str(PostagePayer.BUYER.label)).check()
    page.get_by_role("button", name="Save return terms").click()
    expect(page.get_by_text("Return terms saved.")).to_be_visible()

    _sign_in(page, base, "bea")
    page.goto(case_url)
    page.get_by_role("link", name="I shipped the return").click()
    expect(page.get_by_text("1 Quay Street")).to_be_visible()
    expect(page.get_by_text("The buyer pays the return postage")).to_be_visible()
    _shot(page, "return-form-with-address")
    page.get_by_label("Carrier").select_option("royal_mail")
    page.get_by_label("Tracking number").fill("RT000000042GB")
    page.get_by_role("button", name="Record return").click()
    expect(page.get_by_role("heading", name="Your return is on its way")).to_be_visible()

    _sign_in(page, base, "sid")
    page.goto(case_url)
    expect(page.get_by_text("taken as delivered on")).to_be_visible()
    page.get_by_role("button", name="The returned parcel was delivered today").click()
    expect(page.get_by_text("Delivery recorded")).to_be_visible()
    expect(page.get_by_text("Seller confirmed the returned parcel's delivery")).to_be_visible()
    page.get_by_role("button", name="The returned item arrived: pay the refund").click()
    expect(page.get_by_text("Return confirmed")).to_be_visible()
    _shot(page, "return-delivered-and-confirmed")
