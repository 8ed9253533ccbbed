"""What the case pages say, in every language and zone, with the clock fixed: each moment on
the page as Babel writes it on the reader's clock, each timeline sentence once, in the reader's
language. Held while the pages are made cheaper to render (core.moments keeps what Babel works
out per language and zone; the timeline's sentences are rendered once per event)."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from babel.dates import format_skeleton, get_datetime_format, get_timezone_gmt
from babel.dates import get_timezone_location as _location
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from accounts.models import User
from arbitration import services as arbitration
from core import moments
from core.timeline import describe
from disputes import services
from disputes.models import Dispute, DisputeEvent, Message, Remedy
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db

# Lisbon moves to summer time at 01:00 UTC on 29 March 2026: the case's messages cross it, and
# the month's end.
OPENED = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
SHOWN = datetime(2026, 4, 2, 12, 30, tzinfo=UTC)
LANGUAGES = ["en", "es", "pt-br", "ru"]
ZONES = ["UTC", "Europe/Lisbon", "America/Sao_Paulo", "Asia/Vladivostok", "Etc/GMT+5"]
PAGES = {"buyer": "disputes:detail", "seller": "disputes:detail", "arbiter": "arbitration:case"}
# A moment shown as a date and time (a countdown's <time> carries data-countdown).
_TIME = re.compile(r'<time datetime="([^"]+)">([^<]*)</time>')


def babel_moment(value: datetime) -> str:
    """A moment as core.moments wrote it before it kept anything: Babel asked afresh each time
    (the reference the kept formats must equal)."""
    locale = moments.babel_locale()
    local = timezone.localtime(value)
    glue = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    on = format_skeleton("yMMMd", local, locale=locale)
    at = format_skeleton("Hm", local, locale=locale)
    when = glue.replace("{1}", on).replace("{0}", at)
    key = str(local.tzinfo.key)  # type: ignore[union-attr]
    if key == "UTC" or key.startswith("Etc/"):
        offset = local.utcoffset()
        return f"{when} UTC" if not offset else f"{when} {get_timezone_gmt(local, locale=locale)}"
    city = str(_location(key, locale=locale, return_city=True)).rsplit("/", 1)[-1]
    return _("%(moment)s (%(city)s time)") % {"moment": when, "city": city}


def _instants() -> list[datetime]:
    """Every hour across Lisbon's change to summer time, and a moment in each month."""
    hours = [datetime(2026, 3, 28, 0, 7, tzinfo=UTC) + timedelta(hours=n) for n in range(48)]
    months = [datetime(2026, month, 28, 23, 59, tzinfo=UTC) for month in range(1, 13)]
    return [*hours, *months, datetime(2027, 1, 1, 0, 0, tzinfo=UTC)]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_kept_format_writes_what_babel_writes(language, zone):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        for at in _instants():
            assert moments.moment(at) == babel_moment(at), at
            assert moments.day(at) == format_skeleton(
                "yMMMd", timezone.localtime(at), locale=moments.babel_locale()
            )
        # A date, a naive time: on the calendar and clock as they are.
        assert moments.day(date(2026, 3, 29)) == format_skeleton(
            "yMMMd", date(2026, 3, 29), locale=moments.babel_locale()
        )
        naive = datetime(2026, 3, 29, 1, 30)
        assert moments.moment(naive) == babel_moment(timezone.make_aware(naive))


def _quarrel(buyer, seller, arbiter, traveller) -> None:
    """Two cases: one ruled with a refund (a ruling, offers, messages across the change to
    summer time), one with the arbiter asking the seller for evidence (its clock running)."""
    ruled = open_dispute(buyer=buyer, seller=seller)
    waiting = open_dispute(buyer=buyer, seller=seller)
    for dispute in (ruled, waiting):
        for n in range(8):
            traveller.shift(timedelta(hours=7, minutes=13))
            author = buyer if n % 2 else seller
            photos = [photo(f"m{n}.jpg")] if n == 3 else []
            body = f"message {n}"
            services.dispute_post_message(dispute=dispute, actor=author, body=body, photos=photos)
        counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("7.50"))
        services.dispute_seller_reject(
            dispute=dispute, actor=seller, explanation="No.", counter=counter
        )
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        arbitration.case_take_next(arbiter=arbiter)
    arbitration.case_rule(
        dispute=ruled,
        arbiter=arbiter,
        decision=arbitration.Decision(
            outcome="partial_refund",
            rationale="Cracked in transit.",
            policy_clause="damaged",
            amount=Decimal("12.34"),
        ),
    )
    arbitration.case_request_evidence(
        dispute=waiting, arbiter=arbiter, party="seller", request="A photo of the box.", hours=48
    )


@pytest.fixture
def cases(buyer, seller, arbiter):
    with time_machine.travel(OPENED, tick=False) as traveller:
        _quarrel(buyer, seller, arbiter, traveller)
    return list(Dispute.objects.order_by("pk").values_list("reference", flat=True))


def _page(client, who: User, role: str, reference: str, language: str, zone: str) -> str:
    User.objects.filter(pk=who.pk).update(language=language, time_zone=zone)
    client.force_login(who)
    with time_machine.travel(SHOWN, tick=False):
        response = client.get(reverse(PAGES[role], args=[reference]))
    assert response.status_code == 200
    return response.content.decode()


def _check_page(page: str, reference: str) -> None:
    """In the active language and zone: each event's moment (in a <time>, the messages' too on
    the parties' page) on the reader's clock, the zone named; each event's sentence and each
    message's moment in the reader's words."""
    events = DisputeEvent.objects.filter(dispute__reference=reference)
    shown = _TIME.findall(page)
    assert len(shown) >= len(events) > 8
    for at, text in shown:
        assert text == escape(babel_moment(datetime.fromisoformat(at))), (at, text)
    for event in events:
        assert escape(describe(event.code, event.data)) in page, event.code
    for message in Message.objects.filter(dispute__reference=reference):
        assert escape(babel_moment(message.created_at)) in page, message.body


@pytest.mark.parametrize("role", list(PAGES))
def test_each_moment_and_sentence_of_a_case_page_is_the_readers(
    client, buyer, seller, arbiter, cases, role
):
    who = {"buyer": buyer, "seller": seller, "arbiter": arbiter}[role]
    for language in LANGUAGES:
        for zone in ["UTC", "Europe/Lisbon", "America/Sao_Paulo"]:
            for reference in cases:
                page = _page(client, who, role, reference, language, zone)
                with translation.override(language), timezone.override(ZoneInfo(zone)):
                    _check_page(page, reference)


def test_a_message_after_the_change_to_summer_time_reads_the_new_local_time(
    client, buyer, seller, arbiter, cases
):
    """The first case's sixth message was written at 04:18 UTC on 29 March 2026: 05:18 in
    Lisbon, which had moved to summer time three hours before."""
    for language, zone, written in [
        ("en", "Europe/Lisbon", "29 Mar 2026, 05:18 (Lisbon time)"),
        ("es", "Europe/Lisbon", "29 mar 2026, 5:18 (hora de Lisboa)"),
        ("pt-br", "America/Sao_Paulo", "29 de mar. de 2026 01:18 (horário de São Paulo)"),
        ("ru", "UTC", "29 мар. 2026\u202fг., 04:18 UTC"),
    ]:
        page = _page(client, seller, "seller", cases[0], language, zone)
        assert f'<time datetime="2026-03-29T04:18:00+00:00">{written}</time>' in page
