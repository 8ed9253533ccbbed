"""A person signs in through the real login form in Chromium and lands on their portal."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", name="Sign in to Parley")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize(
    ("username", "heading", "landmark"),
    [
        ("buyer", "My orders", "Northwind Goods"),
        ("seller", "Northwind Goods", "To ship"),
        ("arbiter", "Arbitration queue", "Take next case"),
    ],
)
def test_each_role_signs_in_and_sees_its_home(
    page: Page, live_server, demo, username, heading, landmark
):
    """On a desktop and on a phone, signing in afresh on each (one seeded demo for both)."""
    for width in (1280, 375):
        page.context.clear_cookies()
        page.set_viewport_size({"width": width, "height": 900})
        _sign_in(page, live_server.url, username)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(page.get_by_text(landmark).first).to_be_visible()
        # Nothing may be wider than the screen on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, width
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"home-{username}-{width}.png", full_page=True)


def test_seller_ships_an_order_through_the_delivery_form(page: Page, live_server, demo):
    _sign_in(page, live_server.url, "seller")
    page.locator("table.data-table").first.get_by_role("link").first.click()
    page.get_by_role("link", name="Fill in the delivery form").click()
    page.get_by_label("Tracking number").fill("bad!")
    page.get_by_role("button", name="Record parcel").click()
    # The error summary links to the field, and the field says what is wrong beside it.
    error = "A tracking number is 8 to 30 letters and digits"
    expect(page.locator(".error-summary").get_by_role("link", name=error)).to_be_visible()
    expect(page.locator("#id_tracking_number_error")).to_contain_text(error)
    expect(page.get_by_label("Tracking number")).to_have_value("bad!")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "seller-delivery-form-error.png", full_page=True)

    page.get_by_label("Tracking number").fill("LX 1234 5678 9CN")
    page.get_by_role("button", name="Record parcel").click()
    expect(page.get_by_text("Parcel LX123456789CN recorded.")).to_be_visible()
    expect(page.get_by_text("You promised delivery by")).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "seller-order-shipped.png", full_page=True)
