"""A whole negotiation in Chromium: claim with photos, counter-offer, agreement, refund."""

from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from tests.factories import BuyerFactory, SellerFactory, shipped_order

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _photo(folder: Path, name: str, colour: str) -> Path:
    buffer = BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
    path = folder / name
    path.write_bytes(buffer.getvalue())
    return path


def _sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def test_damaged_claim_counter_offer_accepted_and_refunded(page: Page, live_server, tmp_path):
    buyer = BuyerFactory(username="bea", first_name="Bea", last_name="Buyer")
    seller = SellerFactory(username="sid", first_name="Sid", last_name="Seller")
    order = shipped_order(buyer=buyer, seller=seller)
    base = live_server.url

    # The buyer opens a "damaged" dispute with two photos, asking for a partial refund.
    _sign_in(page, base, "bea")
    page.goto(f"{base}/buyer/orders/{order.reference}/")
    page.get_by_role("link", name="Open a dispute").click()
    page.get_by_label("What went wrong?").select_option("damaged")
    page.get_by_label("Describe the problem").fill("The teapot lid arrived cracked in two.")
    page.get_by_label("What would put it right?").select_option("partial_refund")
    page.get_by_label("Refund amount").fill("20.00")
    page.get_by_label("Photos of the item and packaging").set_input_files(
        [_photo(tmp_path, "lid.jpg", "teal"), _photo(tmp_path, "box.jpg", "tan")]
    )
    page.get_by_role("button", name="Open dispute").click()
    expect(page.get_by_role("heading", name="Waiting for the seller's answer")).to_be_visible()
    expect(page.get_by_text("you will be refunded 20.00 USD")).to_be_visible()
    expect(page.locator(".gallery img")).to_have_count(2)
    dispute_url = page.url
    _shot(page, "dispute-buyer-opened")

    # The seller rejects it with a counter-offer.
    _sign_in(page, base, "sid")
    page.goto(dispute_url)
    expect(page.get_by_role("heading", name="Your answer is needed")).to_be_visible()
    page.get_by_role("link", name="Reject with a counter-offer").click()
    page.get_by_label("Why do you reject the claim?").fill("The lid chipped, it is not broken.")
    page.get_by_label("Your counter-offer").select_option("partial_refund")
    page.get_by_label("Counter-offer amount").fill("12.50")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("heading", name="Waiting for the buyer to respond")).to_be_visible()
    _shot(page, "dispute-seller-countered")

    # The buyer accepts the counter-offer: the refund is paid.
    _sign_in(page, base, "bea")
    page.goto(dispute_url)
    page.get_by_role("link", name="Accept the seller's offer: Partial refund of 12.50 USD").click()
    # The confirm step names the amount before anything is paid.
    expect(
        page.get_by_text("12.50 USD is refunded to your original payment method")
    ).to_be_visible()
    page.get_by_role("button", name="Yes, accept: Partial refund of 12.50 USD").click()
    expect(page.get_by_role("heading", name="Resolved")).to_be_visible()
    expect(page.get_by_text("Partially refunded: 12.50 USD of 50.00 USD")).to_be_visible()
    expect(page.get_by_text("Buyer accepted the seller's offer")).to_be_visible()
    _shot(page, "dispute-buyer-resolved")

    # The seller sees the same outcome and the whole timeline.
    _sign_in(page, base, "sid")
    page.goto(dispute_url)
    expect(page.get_by_text("Partially refunded: 12.50 USD of 50.00 USD")).to_be_visible()
    timeline = page.locator(".timeline")
    for act in ("Dispute opened", "Seller rejected the claim", "Buyer accepted the seller's offer"):
        expect(timeline.get_by_text(act)).to_be_visible()
    _shot(page, "dispute-seller-resolved")
