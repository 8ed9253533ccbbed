"""Each person reads Parley in their language and time zone: which one a request uses (the
saved choice, the browser's), how the first sign-in and the account page set them, the
header's language switch, and a deadline across a daylight-saving change."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from accounts.middleware import ZONE_COOKIE, PersonalMiddleware
from accounts.models import User
from accounts.personal import speaking_to
from core.moments import moment
from disputes.models import DeadlineKind
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = settings.LANGUAGE_COOKIE_NAME
PASSWORD = "pw-for-tests"


def _html_lang(response) -> tuple[str, str]:
    tag = re.search(r'<html lang="([^"]*)" dir="([^"]*)">', response.content.decode())
    assert tag, "the page has no <html lang dir>"
    return tag.group(1), tag.group(2)


def _saved(user: User) -> tuple[str, str]:
    user.refresh_from_db()
    return user.language, user.time_zone


# --- Which language a request uses ------------------------------------------------------------ ---
@pytest.mark.parametrize(
    ("saved", "cookie", "accept", "expected"),
    [
        ("pt-br", "es", "ru", "pt-br"),  # the person's choice over everything
        ("", "es", "ru", "es"),  # nothing saved: the cookie over the browser
        ("", None, "ru-RU,ru;q=0.9", "ru"),  # then the browser's Accept-Language
        ("", None, "pt-BR", "pt-br"),
        ("", None, "de-DE,de;q=0.9", "en"),  # a language Parley lacks: the default
        ("", "xx", "es", "es"),  # a cookie naming no language of ours is ignored
        ("", "<script>", None, "en"),
    ],
)
def test_signed_in_language_order(client, buyer, saved, cookie, accept, expected):
    User.objects.filter(pk=buyer.pk).update(language=saved)
    client.force_login(buyer)
    if cookie is not None:
        client.cookies[LANGUAGE_COOKIE] = cookie
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(reverse("account"), headers=headers)
    assert _html_lang(response) == (expected, "ltr")
    assert response["Content-Language"] == expected


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [(None, "es-ES,es;q=0.8", "es"), ("ru", "es", "ru"), (None, None, "en"), ("zz", "ru", "ru")],
)
def test_a_visitor_gets_the_cookie_else_the_browser(client, cookie, accept, expected):
    if cookie is not None:
        client.cookies[LANGUAGE_COOKIE] = cookie
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(reverse("login"), headers=headers)
    assert _html_lang(response) == (expected, "ltr")


def test_a_saved_language_that_parley_no_longer_has_is_ignored(client, buyer):
    User.objects.filter(pk=buyer.pk).update(language="fr")
    client.force_login(buyer)
    response = client.get(reverse("account"), headers={"Accept-Language": "es"})
    assert _html_lang(response) == ("es", "ltr")


def test_every_language_is_written_left_to_right():
    for code, _name in settings.LANGUAGES:
        assert translation.get_language_info(code)["bidi"] is False, code


def test_a_request_leaves_no_language_behind(client, buyer):
    User.objects.filter(pk=buyer.pk).update(language="ru")
    client.force_login(buyer)
    client.get(reverse("account"))
    translation.deactivate()  # what tests/conftest.py does after each test; see it holds
    assert translation.get_language() == settings.LANGUAGE_CODE


# --- Which zone a request uses ---------------------------------------------------------------- ---
def _zone_seen(user, cookie: str | None = None) -> str:
    """The zone active while the view runs, for `user` (None: a visitor)."""
    request = RequestFactory().get("/")
    if cookie is not None:
        request.COOKIES[ZONE_COOKIE] = cookie
    request.user = user if user is not None else AnonymousUser()
    seen = PersonalMiddleware(lambda r: HttpResponse(timezone.get_current_timezone_name()))
    response = seen(request)
    assert isinstance(response, HttpResponse)
    return response.content.decode()


@pytest.mark.parametrize(
    ("saved", "cookie", "expected"),
    [
        ("Europe/Lisbon", "Asia/Tokyo", "Europe/Lisbon"),  # the person's choice first
        ("", "Asia/Tokyo", "Asia/Tokyo"),  # then the browser's
        ("", None, "UTC"),  # then settings.TIME_ZONE
        ("", "Mars/Olympus_Mons", "UTC"),  # a cookie naming no zone is ignored
        ("", "../../etc/passwd", "UTC"),
        ("", "", "UTC"),
        ("", "x" * 5000, "UTC"),
        ("Not/A_Zone", "Asia/Tokyo", "Asia/Tokyo"),  # a saved name no longer a zone
    ],
)
def test_signed_in_zone_order(buyer, saved, cookie, expected):
    buyer.time_zone = saved
    assert _zone_seen(buyer, cookie) == expected


def test_a_visitor_gets_the_browsers_zone_else_utc(db):
    assert _zone_seen(None, "America/Sao_Paulo") == "America/Sao_Paulo"
    assert _zone_seen(None) == "UTC"


def test_the_zone_ends_with_the_request(buyer):
    buyer.time_zone = "Asia/Vladivostok"
    _zone_seen(buyer)
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_pages_write_moments_in_the_zone_of_the_cookie(client, buyer):
    client.force_login(buyer)
    client.cookies[ZONE_COOKIE] = "Asia/Tokyo"
    page = client.get(reverse("account")).content.decode()
    assert 'value="Asia/Tokyo"' in page  # the form offers the zone the pages now use


# --- The first sign-in takes the browser's zone and language ----------------------------------- --
def _sign_in(client, user, **extra):
    data = {"username": user.username, "password": PASSWORD, **extra.pop("data", {})}
    return client.post(reverse("login"), data, **extra)


def test_the_sign_in_page_asks_the_browser_for_its_zone(client):
    page = client.get(reverse("login")).content.decode()
    assert re.search(r'<input type="hidden" name="time_zone"[^>]*data-browser-zone', page)
    assert 'src="/static/js/zone.js"' in page


def test_first_sign_in_saves_the_browsers_zone_and_language(client, buyer):
    response = _sign_in(
        client,
        buyer,
        data={"time_zone": "America/Sao_Paulo"},
        headers={"Accept-Language": "pt-BR,pt;q=0.9"},
    )
    assert response.status_code == 302
    assert _saved(buyer) == ("pt-br", "America/Sao_Paulo")
    # Remembered for the sign-in page too, after signing out.
    assert response.cookies[LANGUAGE_COOKIE].value == "pt-br"
    assert _html_lang(client.get(reverse("account"))) == ("pt-br", "ltr")


def test_a_later_sign_in_keeps_what_was_chosen(client, buyer):
    User.objects.filter(pk=buyer.pk).update(language="ru", time_zone="Asia/Vladivostok")
    response = _sign_in(
        client, buyer, data={"time_zone": "Europe/Lisbon"}, headers={"Accept-Language": "es"}
    )
    assert _saved(buyer) == ("ru", "Asia/Vladivostok")
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"


def test_without_the_field_the_zone_cookie_is_used(client, buyer):
    client.cookies[ZONE_COOKIE] = "Asia/Vladivostok"
    _sign_in(client, buyer, headers={"Accept-Language": "ru"})
    assert _saved(buyer) == ("ru", "Asia/Vladivostok")


@pytest.mark.parametrize("zone", ["", "Mars/Base", "UTC'; DROP TABLE x; --", "x" * 100])
def test_a_zone_that_is_not_one_is_dropped_and_the_sign_in_goes_on(client, buyer, zone):
    response = _sign_in(client, buyer, data={"time_zone": zone})
    assert response.status_code == 302
    assert _saved(buyer) == ("en", "")


def test_a_failed_sign_in_saves_nothing(client, buyer):
    client.post(
        reverse("login"),
        {"username": buyer.username, "password": "wrong", "time_zone": "Europe/Lisbon"},
        headers={"Accept-Language": "es"},
    )
    assert _saved(buyer) == ("", "")


# --- The account page --------------------------------------------------------------------------- -
@pytest.mark.parametrize("who", ["buyer", "seller", "arbiter"])
def test_every_role_changes_language_and_zone(client, request, who):
    person = request.getfixturevalue(who)
    client.force_login(person)
    response = client.post(
        reverse("account"), {"language": "es", "time_zone": "Europe/Lisbon"}, follow=True
    )
    assert response.redirect_chain == [(reverse("account"), 302)]
    assert _saved(person) == ("es", "Europe/Lisbon")
    assert _html_lang(response) == ("es", "ltr")
    assert "Se guardaron tu idioma y tu zona horaria." in response.content.decode()
    assert client.cookies[LANGUAGE_COOKIE].value == "es"


def test_the_account_page_shows_what_is_saved(client, buyer):
    User.objects.filter(pk=buyer.pk).update(language="ru", time_zone="Asia/Vladivostok")
    client.force_login(buyer)
    page = client.get(reverse("account")).content.decode()
    assert re.search(r'<option value="ru"[^>]*selected', page)
    assert 'value="Asia/Vladivostok"' in page
    assert '<datalist id="zone-names">' in page and '<option value="Europe/Lisbon">' in page


def test_a_zone_is_forgiven_its_case_and_spaces(client, buyer):
    client.force_login(buyer)
    client.post(reverse("account"), {"language": "pt-br", "time_zone": " america/sao paulo "})
    assert _saved(buyer) == ("pt-br", "America/Sao_Paulo")


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"language": "es", "time_zone": "Lisbon"}, "time_zone", "does not know this time zone"),
        ({"language": "es", "time_zone": ""}, "time_zone", "This field is required"),
        ({"language": "de", "time_zone": "UTC"}, "language", "Select a valid choice"),
        ({"language": "es", "time_zone": "x" * 65}, "time_zone", "at most 64 characters"),
    ],
)
def test_a_wrong_value_is_explained_kept_and_nothing_saved(client, buyer, data, field, error):
    client.force_login(buyer)
    response = client.post(reverse("account"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert error in page and f'id="id_{field}_error"' in page
    assert 'value="Lisbon"' in page if data["time_zone"] == "Lisbon" else True
    assert _saved(buyer) == ("", "")


def test_the_header_links_the_account_page(client, seller):
    client.force_login(seller)
    page = client.get(reverse("orders:seller_dashboard")).content.decode()
    assert f'href="{reverse("account")}"' in page


# --- The header's language switch --------------------------------------------------------------- -
def test_every_page_has_the_switch_returning_to_it(client, buyer):
    page = client.get(reverse("login") + "?next=/buyer/orders/").content.decode()
    assert f'action="{reverse("switch_language")}"' in page
    assert 'name="next" value="/accounts/login/?next=/buyer/orders/"' in page
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in page and name in page


def test_a_visitor_switches_with_the_cookie(client):
    response = client.post(reverse("switch_language"), {"language": "ru", "next": reverse("login")})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert response.cookies[LANGUAGE_COOKIE].value == "ru"
    assert _html_lang(client.get(reverse("login"))) == ("ru", "ltr")


def test_a_signed_in_person_switches_for_good(client, buyer):
    client.force_login(buyer)
    client.post(reverse("switch_language"), {"language": "es", "next": "/buyer/orders/"})
    assert _saved(buyer) == ("es", "")
    client.cookies.pop(LANGUAGE_COOKIE)  # another browser: the account remembers
    assert _html_lang(client.get(reverse("account"))) == ("es", "ltr")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver@evil.example/",
        "https:///evil.example",
        " //evil.example",
        "",
    ],
)
def test_the_switch_never_sends_to_another_site(client, target):
    response = client.post(reverse("switch_language"), {"language": "es", "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert response.cookies[LANGUAGE_COOKIE].value == "es"


def test_the_switch_refuses_a_language_parley_lacks(client, buyer):
    client.force_login(buyer)
    response = client.post(reverse("switch_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert LANGUAGE_COOKIE not in response.cookies
    assert _saved(buyer) == ("", "")


def test_the_switch_is_a_post(client):
    assert client.get(reverse("switch_language"), {"language": "es"}).status_code == 405


# --- Moments across a daylight-saving change ----------------------------------------------- ------
@pytest.mark.parametrize(
    ("zone", "opened", "due_local"),
    [
        # Lisbon moves to summer time on 28 March 2027: 10:00 then, 11:00 five days on.
        ("Europe/Lisbon", datetime(2027, 3, 25, 10, 0, tzinfo=UTC), "30 Mar 2027, 11:00"),
        # Los Angeles moves on 14 March 2027.
        ("America/Los_Angeles", datetime(2027, 3, 11, 18, 0, tzinfo=UTC), "16 Mar 2027, 11:00"),
        # Lisbon back to winter time on 31 October 2027: 11:00 then, 10:00 five days on.
        ("Europe/Lisbon", datetime(2027, 10, 28, 10, 0, tzinfo=UTC), "2 Nov 2027, 10:00"),
    ],
)
def test_a_deadline_across_a_clock_change_reads_in_local_time(
    client, buyer, seller, zone, opened, due_local
):
    """Deadlines are instants (opened + 5 × 24 hours); the wall time moves with the clocks."""
    User.objects.filter(pk=buyer.pk).update(time_zone=zone)
    with time_machine.travel(opened, tick=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    days = dispute.policy.seller_answer_days
    assert days == 5, "the expected wall times assume the 5 days of the policy"
    assert deadline.due_at == opened + timedelta(days=days)  # an instant, whatever the clocks
    local = ZoneInfo(zone)
    assert opened.astimezone(local).utcoffset() != deadline.due_at.astimezone(local).utcoffset()
    with time_machine.travel(opened + timedelta(hours=2), tick=False):
        client.force_login(buyer)
        page = client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
    assert due_local in page
    utc_wall = f"{deadline.due_at:%-d %b %Y, %H:%M}"
    assert utc_wall == due_local or utc_wall not in page


def test_emails_and_other_words_outside_a_request_follow_the_person(buyer):
    buyer.language, buyer.time_zone = "ru", "Asia/Vladivostok"
    instant = datetime(2027, 1, 5, 23, 30, tzinfo=UTC)
    with speaking_to(buyer):
        assert translation.get_language() == "ru"
        assert moment(instant).startswith("6 янв. 2027\u202fг., 09:30 (время: Владивосток)")
    assert moment(instant).startswith("5 Jan 2027, 23:30")
