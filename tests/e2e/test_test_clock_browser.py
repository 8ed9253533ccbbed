"""The demo in a sandbox, in Chromium: the buyer signs in and, in three clicks (My disputes, the
case, "Advance to the next deadline"), watches the seller's silence resolve a seeded case
"waiting for the seller" with the refund paid, as the README's "Watch a whole case in a minute"
describes."""

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sandbox_demo(transactional_db, settings):
    settings.PARLEY_SANDBOX = True  # the live server runs in this process: it reads the same
    call_command("seed_demo", verbosity=0)


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_the_demo_case_goes_from_waiting_for_the_seller_to_resolved_in_three_clicks(
    page: Page, live_server, sandbox_demo, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill("buyer")
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Sandbox: not a live deployment.")).to_be_visible()

    # 1. My disputes.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My disputes").click()
    # 2. The teapot the seller has not answered.
    row = page.get_by_role("row").filter(has_text="Ceramic teapot")
    expect(row.get_by_text("Waiting for the seller")).to_be_visible()
    row.get_by_role("link").click()
    panel = page.locator("#test-clock")
    expect(panel.get_by_text("Next deadline: Seller's answer")).to_be_visible()
    _shot(page, f"test-clock-before-{width}")
    # 3. The seller's five days run out now.
    panel.get_by_role("button", name="Advance to the next deadline").click()

    expect(page.get_by_role("heading", name="Resolved")).to_be_visible()
    expect(page.get_by_text("was moved to now, as if that time had come")).to_be_visible()
    expect(page.get_by_text("Partially refunded: 25.00 USD of")).to_be_visible()
    timeline = page.locator(".timeline")
    expect(timeline.get_by_text("Test clock: Seller's answer moved from")).to_be_visible()
    expect(timeline.get_by_text("The seller did not answer in 5 days")).to_be_visible()
    expect(panel.get_by_text("there is nothing to advance")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    _shot(page, f"test-clock-after-{width}")
