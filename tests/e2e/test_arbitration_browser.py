"""From rejection to ruling in Chromium: seller rejects, buyer escalates, an arbiter takes the
next case and rules a partial refund with reasons; both parties see it; standing reflects it."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ArbiterFactory, BuyerFactory, SellerFactory, open_dispute

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


def test_escalation_to_ruling(page: Page, live_server):
    buyer = BuyerFactory(username="bea")
    seller = SellerFactory(username="sid")
    ArbiterFactory(username="ada", first_name="Ada", last_name="Arbiter")
    dispute = open_dispute(buyer=buyer, seller=seller)
    base, case_url = live_server.url, f"{live_server.url}/disputes/{dispute.reference}/"

    _sign_in(page, base, "sid")
    page.goto(case_url)
    page.get_by_role("link", name="Reject with a counter-offer").click()
    page.get_by_label("Why do you reject the claim?").fill("The crack was not there when packed.")
    page.get_by_role("button", name="Send answer").click()

    _sign_in(page, base, "bea")
    page.goto(case_url)
    page.get_by_role("button", name="Ask Parley to decide").click()
    reviewing = page.get_by_role("heading", name="A Parley arbiter is reviewing the case")
    expect(reviewing).to_be_visible()

    _sign_in(page, base, "ada")
    page.get_by_role("button", name="Take next case").click()
    expect(page.get_by_role("heading", name="Your ruling")).to_be_visible()
    page.get_by_label("Refund in part").check()
    page.get_by_label("Refund amount").fill("15.00")
    page.get_by_label("Policy clause applied").select_option("damaged")
    page.get_by_label("Reasons (both parties read this)").fill(
        "The buyer's photo shows a fresh crack; the packing photo predates shipping."
    )
    page.get_by_role("button", name="Rule and carry out").click()
    expect(
        page.get_by_text("15.00 USD is refunded to the buyer's original payment")
    ).to_be_visible()
    page.get_by_role("button", name="Yes, rule and carry it out").click()
    expect(page.get_by_text("Ruling recorded and carried out")).to_be_visible()
    _shot(page, "arbiter-ruled")

    for who in ("bea", "sid"):
        _sign_in(page, base, who)
        page.goto(case_url)
        ruling = page.get_by_role("heading", name="Ruling: Refund in part · 15.00 USD")
        expect(ruling).to_be_visible()
        expect(page.get_by_text("The buyer's photo shows a fresh crack")).to_be_visible()
        expect(page.get_by_text("Partially refunded: 15.00 USD of 50.00 USD")).to_be_visible()
        _shot(page, f"ruling-seen-by-{who}")

    page.goto(f"{base}/seller/")
    standing = page.locator(".standing")
    expect(standing.get_by_text("1 ruled against you").first).to_be_visible()
    _shot(page, "seller-standing-after-ruling")
