"""A Portuguese browser in São Paulo and a Russian one in Vladivostok, in Chromium: the first
sign-in keeps the browser's zone and language, and the buyer's case page gives the seller's
deadline on the buyer's clock and in their language, with a countdown counting to the very
instant the server keeps."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from core.moments import time_left
from disputes.models import DeadlineKind
from tests.factories import BuyerFactory, SellerFactory, open_dispute

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Words the case page must show in each language once the catalogues land: one line a word.
WORDS: dict[str, list[str]] = {
    "pt-br": ["Minhas disputas", "Mensagens"],
    "ru": ["Мои споры", "Сообщения"],
}


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('login')}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw-for-tests")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("login") not in url)


def _clock(page: Page, due: datetime) -> Locator:
    """The case page's clock counting to `due` (its countdown's datetime, on any clock)."""
    for clock in page.locator(".clock").all():
        countdown = clock.locator("time[data-countdown]")
        if datetime.fromisoformat(countdown.get_attribute("datetime") or "") == due:
            return clock
    raise AssertionError(f"no clock counts to {due.isoformat()}")


@pytest.mark.parametrize(
    ("locale", "zone", "language"),
    [("pt-BR", "America/Sao_Paulo", "pt-br"), ("ru-RU", "Asia/Vladivostok", "ru")],
)
def test_the_buyer_reads_the_deadline_on_their_own_clock(
    browser: Browser, live_server, locale, zone, language
):
    buyer = BuyerFactory(username="bea")
    dispute = open_dispute(buyer=buyer, seller=SellerFactory(username="sid"))
    due = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER).due_at
    context = browser.new_context(locale=locale, timezone_id=zone)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, "bea")
        assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone

        # The first sign-in kept what the browser said.
        saved = User.objects.values_list("language", "time_zone").get(username="bea")
        assert saved == (language, zone)

        page.goto(f"{live_server.url}{reverse('disputes:detail', args=[dispute.reference])}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("html")).to_have_attribute("dir", "ltr")

        # The deadline's wall time on the buyer's clock, not the server's UTC one.
        local, utc = due.astimezone(ZoneInfo(zone)), due.astimezone(ZoneInfo("UTC"))
        clock = _clock(page, due)
        expect(clock.locator(".clock__consequence")).to_contain_text(f"{local:%H:%M}")
        expect(clock.locator(".clock__consequence")).not_to_contain_text(f"{utc:%H:%M}")

        # The countdown counts to the server's instant and says what the server says.
        countdown = clock.locator("time[data-countdown]")
        counts_to = page.evaluate(
            "node => Date.parse(node.getAttribute('datetime'))", countdown.element_handle()
        )
        assert counts_to == int(due.timestamp() * 1000)
        shown = countdown.inner_text().replace("\xa0", " ")
        with translation.override(language):
            now = timezone.now()
            # The page and this line may fall either side of a minute's turn.
            expected = {time_left(due, now), time_left(due, now - timedelta(minutes=1))}
        assert shown in {words.replace("\xa0", " ") for words in expected}

        for word in WORDS[language]:
            expect(page.locator("body")).to_contain_text(word)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"case-page-{locale}.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_language_switch_fits_the_header_and_works_without_script(
    browser: Browser, live_server, width
):
    """Signed out and in, on a desktop and a phone: the switch never widens the page, and it
    works as a plain form (JavaScript off), back to the same page, remembered."""
    BuyerFactory(username="bea")
    context = browser.new_context(
        locale="en-GB", java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{reverse('login')}")
        _fits(page, f"switch-signed-out-{width}")
        page.locator("#language-switch").select_option("es")
        page.locator(".language-switch button").click()
        assert page.url.endswith(reverse("login"))
        expect(page.locator("html")).to_have_attribute("lang", "es")

        _sign_in(page, live_server.url, "bea")
        expect(page.locator("html")).to_have_attribute("lang", "es")  # kept at the first sign-in
        _fits(page, f"switch-signed-in-{width}")
        page.locator("#language-switch").select_option("ru")
        page.locator(".language-switch button").click()
        assert page.url.endswith(reverse("orders:buyer_orders"))
        expect(page.locator("html")).to_have_attribute("lang", "ru")

        # The account page, linked from the header: a wrong zone is explained and kept.
        page.locator(f".account a[href='{reverse('account')}']").click()
        page.locator("#id_time_zone").fill("Lisboa")
        page.locator("form.card button[type=submit]").click()
        expect(page.locator("#id_time_zone_error")).to_be_visible()
        expect(page.locator("#id_time_zone")).to_have_value("Lisboa")
        _fits(page, f"account-error-{width}")
        page.locator("#id_time_zone").fill("europe/lisbon")
        page.locator("#id_language").select_option("pt-br")
        page.locator("form.card button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", "pt-br")
        expect(page.locator("#id_time_zone")).to_have_value("Europe/Lisbon")
    finally:
        context.close()


def _fits(page: Page, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
