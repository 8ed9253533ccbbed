"""Moments, days, money and durations in the viewer's language and zone (core.moments), and the
countdown script writing the same words as the server."""

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from core import moments
from core.money import Money

NBSP = "\u00a0"
AT = datetime(2026, 12, 5, 10, 13, tzinfo=UTC)
COUNTDOWN = Path(settings.BASE_DIR) / "static" / "js" / "countdown.js"


@pytest.mark.parametrize(
    ("language", "zone", "written"),
    [
        ("en", "UTC", "5 Dec 2026, 10:13 UTC"),
        ("en", "Europe/Lisbon", "5 Dec 2026, 10:13 (Lisbon time)"),
        ("en", "America/Sao_Paulo", "5 Dec 2026, 07:13 (Sao Paulo time)"),
        ("en", "Asia/Vladivostok", "5 Dec 2026, 20:13 (Vladivostok time)"),
        ("en", "Etc/GMT+5", "5 Dec 2026, 05:13 GMT-05:00"),
        # The city in the reader's language; "time" is the catalogue's to translate.
        ("es", "Europe/Lisbon", "5 dic 2026, 10:13 (hora de Lisboa)"),
        ("pt-br", "America/Sao_Paulo", "5 de dez. de 2026 07:13 (horário de São Paulo)"),
        ("ru", "Asia/Vladivostok", "5 дек. 2026\u202fг., 20:13 (время: Владивосток)"),
    ],
)
def test_a_moment_is_written_on_the_readers_clock_with_the_zone_named(language, zone, written):
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        assert moments.moment(AT) == written


def test_a_deadline_across_a_daylight_saving_change_shows_the_local_time_of_its_day():
    """Lisbon moves to summer time at 01:00 UTC on 29 March 2026: a deadline 5 days after a
    moment in winter reads an hour later on the clock, the instant unchanged."""
    opened = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    due = opened + timedelta(days=5)
    with translation.override("en"), timezone.override(ZoneInfo("Europe/Lisbon")):
        assert moments.moment(opened) == "26 Mar 2026, 09:00 (Lisbon time)"
        assert moments.moment(due) == "31 Mar 2026, 10:00 (Lisbon time)"
        assert moments.moment(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)).endswith(
            "00:59 (Lisbon time)"
        )
        assert moments.moment(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)).endswith(
            "02:00 (Lisbon time)"
        )


def test_a_day_is_the_readers_calendar_day():
    late = datetime(2026, 12, 5, 23, 30, tzinfo=UTC)
    with translation.override("en"), timezone.override(ZoneInfo("Asia/Vladivostok")):
        assert moments.day(late) == "6 Dec 2026"
        assert moments.short_day(late) == "6 Dec"
    with translation.override("es"), timezone.override(ZoneInfo("UTC")):
        assert moments.day(late) == "5 dic 2026"


def test_english_money_keeps_the_currency_code():
    """A cross-border marketplace has many dollars: English writes the code, never "$"."""
    with translation.override("en"):
        assert moments.money(Decimal("1234.56"), "USD") == "1,234.56 USD"
        assert moments.money(Decimal("20"), "EUR") == "20.00 EUR"
        assert moments.money(Decimal("1234.5"), "") == "1,234.50"
        assert str(Money(Decimal("20"), "USD")) == "20.00 USD"
    with translation.override("es"):
        assert str(Money(Decimal("1234.56"), "EUR")) == f"1.234,56{NBSP}€"


def test_filters_write_in_the_readers_language_and_zone():
    template = Template(
        "{% load moments %}{{ at|moment }}|{{ at|day }}|{{ total|money:'EUR' }}|{{ at|left:now }}"
    )
    context = Context({"at": AT, "total": Decimal("1234.56"), "now": AT - timedelta(hours=3)})
    with translation.override("pt-br"), timezone.override(ZoneInfo("America/Sao_Paulo")):
        rendered = template.render(context)
    assert rendered.startswith("5 de dez. de 2026 07:13 (horário de São Paulo)|5 de dez. de 2026|")
    assert f"€{NBSP}1.234,56|" in rendered


def test_countdown_words_are_a_json_block_not_a_script():
    with translation.override("en"):
        html = Template("{% load moments %}{% countdown_words %}").render(Context())
    assert html.startswith('<script id="countdown-words" type="application/json">')
    words = json.loads(html.split(">", 1)[1].rsplit("<", 1)[0])
    assert words["units"]["day"] == {"one": f"{{n}}{NBSP}day", "other": f"{{n}}{NBSP}days"}
    assert words["left"] == "{d} left" and words["due_now"] == "due now"


# --- static/js/countdown.js, run by Node where it is installed ----------------------------------

_NODE_RUN = """
const fs = require("fs");
const [words, stamps] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
const nodes = stamps.map((s) => ({ textContent: "", getAttribute: () => s }));
global.document = {
  getElementById: () => ({ textContent: JSON.stringify(words) }),
  querySelectorAll: () => nodes,
};
global.setInterval = () => 0;
eval(fs.readFileSync(process.argv[3], "utf8"));
console.log(JSON.stringify(nodes.map((n) => n.textContent)));
"""
# Offsets from now, half a minute into their last minute so that the script's clock (read a
# moment later) counts the same whole minutes.
OFFSETS = [
    timedelta(days=13, hours=20, minutes=41, seconds=30),
    timedelta(days=1, seconds=30),
    timedelta(days=2, hours=1, seconds=30),
    timedelta(days=5, hours=3, seconds=30),
    timedelta(days=21, seconds=30),
    timedelta(hours=5, minutes=3, seconds=30),
    timedelta(minutes=1, seconds=30),
    timedelta(seconds=30),
    -timedelta(seconds=30),
]


def _countdown(words: dict, stamps: list[str]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed: the countdown script is checked where it is")
    out = subprocess.run(
        [node, "-e", _NODE_RUN, json.dumps(words), json.dumps(stamps), str(COUNTDOWN)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_countdown_script_writes_what_the_server_writes():
    now = timezone.now()
    with translation.override("en"):
        words = moments.countdown_words()
        expected = [moments.time_left(now + offset, now) for offset in OFFSETS]
    stamps = [(now + offset).isoformat() for offset in OFFSETS]
    assert _countdown(words, stamps) == expected


def test_the_countdown_script_picks_russian_plural_forms():
    """The browser's Intl.PluralRules picks the form: 1 день, 2 дня, 5 дней, 21 день."""
    forms = {
        "day": {"one": "{n} день", "few": "{n} дня", "many": "{n} дней"},
        "hour": {"one": "{n} час", "few": "{n} часа", "many": "{n} часов"},
        "minute": {"one": "{n} минута", "few": "{n} минуты", "many": "{n} минут"},
    }
    words = {
        "locale": "ru",
        "units": forms,
        "pair": "{a}, {b}",
        "left": "осталось {d}",
        "due_now": "срок истёк",
        "under_a_minute": "меньше минуты",
    }
    now = timezone.now()
    stamps = [(now + offset).isoformat() for offset in OFFSETS]
    assert _countdown(words, stamps) == [
        "осталось 13 дней, 20 часов",
        "осталось 1 день",
        "осталось 2 дня, 1 час",
        "осталось 5 дней, 3 часа",
        "осталось 21 день",
        "осталось 5 часов, 3 минуты",
        "осталось 1 минута",
        "осталось меньше минуты",
        "срок истёк",
    ]
