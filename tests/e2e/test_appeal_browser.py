"""An appeal decided by the second demo arbiter, in Chromium, on the seeded demo: Ari (who made
the demo's rulings) is told why "take next" serves him no appeal; Ben takes both appeals from
the queue and decides them; the parties read the final decision, and the seller's standing
counts it instead of the first ruling."""

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
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("parley-demo")
    page.get_by_role("button", name="Sign in").click()


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def _decide(page: Page, replace_with: str, clause: str, reasons: str) -> str:
    """Decide the appeal on the open case page; returns the case's reference."""
    expect(page.get_by_role("heading", name="Your decision on the appeal (final)")).to_be_visible()
    reference = page.url.rstrip("/").split("/")[-1]
    page.get_by_label("Replace it with this decision:").check()
    page.get_by_label(replace_with, exact=True).check()
    page.get_by_label("Policy clause applied").select_option(clause)
    page.get_by_label("Reasons (both parties read this)").fill(reasons)
    page.get_by_role("button", name="Rule and carry out").click()
    # The confirm step: a final decision is asked for once more before it is carried out.
    expect(
        page.get_by_text("This decision is final: it cannot be undone or appealed.")
    ).to_be_visible()
    page.get_by_role("button", name="Yes, decide the appeal").click()
    expect(page.get_by_text("Appeal decided. The decision is final")).to_be_visible()
    return reference


def test_an_appeal_decided_by_the_second_demo_arbiter(page: Page, live_server, demo):
    base = live_server.url
    _sign_in(page, base, "arbiter")
    take_next = page.get_by_role("button", name="Take next case")
    take_next.click()  # the escalated case: Ari may rule on it
    expect(page.get_by_role("heading", name="Your ruling")).to_be_visible()
    page.goto(f"{base}/arbitration/")
    expect(page.get_by_text("Any arbiter except you (you made the ruling)").first).to_be_visible()
    take_next.click()
    expect(
        page.get_by_text(
            "2 appeals are waiting, but you made their rulings; another arbiter must decide them."
        )
    ).to_be_visible()
    _shot(page, "appeal-nothing-for-the-first-arbiter")

    _sign_in(page, base, "arbiter2")
    expect(page.get_by_text("Any arbiter except Ari Arbiter").first).to_be_visible()
    decided = {}
    for _ in range(2):
        page.get_by_role("button", name="Take next case").click()
        heading = page.get_by_role("heading", level=1).inner_text()
        if heading.startswith("Missing parts"):  # the tent: the buyer appealed a rejection
            decided["tent"] = _decide(
                page,
                "Refund in full",
                "missing_parts",
                "The buyer's second photo shows the pole bag empty: the tent came incomplete.",
            )
        else:  # the thermostat: the seller appealed a full refund
            decided["thermostat"] = _decide(
                page,
                "Claim rejected",
                "insufficient_evidence",
                "The listing's text says the Wi-Fi module is sold separately.",
            )
        _shot(page, f"appeal-decided-{len(decided)}")
        page.goto(f"{base}/arbitration/")
    assert set(decided) == {"tent", "thermostat"}

    _sign_in(page, base, "buyer")
    page.goto(f"{base}/disputes/{decided['tent']}/")
    expect(page.get_by_role("heading", name="Appeal decision: Refund in full")).to_be_visible()
    expect(page.get_by_text("the tent came incomplete")).to_be_visible()
    _shot(page, "appeal-decision-seen-by-buyer")

    _sign_in(page, base, "seller")
    page.goto(f"{base}/disputes/{decided['thermostat']}/")
    expect(page.get_by_role("heading", name="Appeal decision: Claim rejected")).to_be_visible()
    page.goto(f"{base}/seller/")
    # The tent's rejection was replaced by a refund; the thermostat's refund ruling by a
    # rejection: one ruling against Sam, as the final words say.
    expect(page.locator(".standing").get_by_text("1 ruled against you").first).to_be_visible()


def test_the_arbiters_metrics_link_fits_a_phone(page: Page, live_server, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    _sign_in(page, live_server.url, "arbiter2")
    metrics = page.get_by_role("navigation", name="Main").get_by_role("link", name="Metrics")
    expect(metrics).to_be_in_viewport(ratio=1)
    metrics.click()
    expect(page.get_by_role("heading", name="Arbitration metrics")).to_be_visible()
    _shot(page, "arbiter-nav-375")
