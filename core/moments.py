"""One way of writing moments, days, money and durations for people, in the active language
and the current time zone (Django's `translation` and `timezone`, set per request, or per
recipient by `accounts.personal.speaking_to`).

- `moment`: a date and time in the current zone, the zone named: "5 Dec 2026, 10:13 (Lisbon
  time)", "5 dic 2026, 10:13 (hora de Lisboa)"; in UTC, "5 Dec 2026, 10:13 UTC".
- `day`, `short_day`: "5 Dec 2026", "5 Dec" on the current zone's calendar.
- `money`: "1,234.56 EUR" in English (the code, never "$": a cross-border marketplace has many
  dollars), "1.234,56 €" in Spanish, "R$ 1.234,56" in Brazilian Portuguese (Babel's patterns).
- `duration`, `time_left`: "3 days, 4 hours", "3 days, 4 hours left", with the plural forms of
  the language ("1 день", "2 дня", "5 дней"); static/js/countdown.js keeps them current with the
  same words (`countdown_words`).

Dates and numbers come from Babel (CLDR); words from gettext. English dates are written the
British way ("5 Dec 2026, 10:13", 24 hours), as Parley always wrote them.

A case page writes some sixty moments: Babel's pattern for each skeleton is looked up and
parsed once per language, and what it writes is kept per calendar day and per clock time
(`_written`), so a moment costs a few dictionary lookups instead of Babel's ~150 calls. Only
Babel's output is kept, never gettext's: a catalogue (or a test's stand-in) answers each time.
"""

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import (
    DateTimePattern,
    format_skeleton,
    get_datetime_format,
    get_timezone_gmt,
    match_skeleton,
    parse_pattern,
    tokenize_pattern,
)
from babel.dates import get_timezone_location as _location
from babel.numbers import format_currency, format_decimal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

# Babel's locale for a Django language code, where the code alone would say otherwise.
BABEL_LOCALES = {"en": "en_GB"}
FALLBACK_LOCALE = "en_GB"
# Zones with no city to name: a moment there says its offset instead ("10:13 UTC").
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Zulu"})
_UTC_NAMES |= {"Etc/Zulu", "GMT", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "GMT0"}
_UTC_NAMES |= {"Etc/Greenwich", "Greenwich", "GMT+0", "GMT-0"}
# English money: the amount, then the currency's code.
_ENGLISH_MONEY = "#,##0.00 ¤¤"
# A number never wraps away from its unit: "3 days" keeps a no-break space.
_SPACE = "\u00a0"
_NUMBER_THEN_SPACE = re.compile(r"(\d) (?=\S)")
# The pattern letters that read only the calendar day, and only the clock's hour and minute
# (CLDR's date field symbols): what a kept format may be keyed by.
_DAY_FIELDS = frozenset("GyYuUrQqMLlwWdDFgEec")
_CLOCK_FIELDS = frozenset("aBbhHKkm")


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Locale:
    name = translation.to_locale(language)
    base = name.split("_")[0]
    for candidate in (BABEL_LOCALES.get(name, name), BABEL_LOCALES.get(base, base)):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(FALLBACK_LOCALE)


def babel_locale() -> Locale:
    """Babel's locale for the active language (English outside any request)."""
    return _babel_locale(translation.get_language() or "en")


def _local(value: date) -> date:
    """An aware moment on the current zone's clock; a date or a naive time as it is."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _aware(value: datetime) -> datetime:
    """A moment on the current zone's clock (a naive one is taken to be on that clock)."""
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


@lru_cache(maxsize=64)
def _pattern(skeleton: str, locale: Locale) -> tuple[DateTimePattern, frozenset[str]]:
    """The pattern `format_skeleton` resolves `skeleton` to in `locale`, parsed, and the field
    letters it reads."""
    skeletons = locale.datetime_skeletons
    found = skeleton if skeleton in skeletons else match_skeleton(skeleton, skeletons)
    pattern = parse_pattern(skeletons[found])
    fields = {token[0] for kind, token in tokenize_pattern(pattern.pattern) if kind == "field"}
    return pattern, frozenset(fields)


@lru_cache(maxsize=8192)
def _on_day(skeleton: str, day: date, locale: Locale) -> str:
    return _pattern(skeleton, locale)[0].apply(datetime.combine(day, time()), locale)


@lru_cache(maxsize=8192)
def _at_clock(skeleton: str, hour: int, minute: int, locale: Locale) -> str:
    return _pattern(skeleton, locale)[0].apply(datetime(2000, 1, 1, hour, minute), locale)


def _written(skeleton: str, value: date, locale: Locale) -> str:
    """What `format_skeleton(skeleton, value, locale=locale)` writes, kept: a pattern that
    reads only the calendar day is written once per day, one that reads only the hour and
    minute once per clock time; any other (none of ours) is asked of Babel each time."""
    fields = _pattern(skeleton, locale)[1]
    if fields <= _DAY_FIELDS:
        day = value.date() if isinstance(value, datetime) else value
        return _on_day(skeleton, day, locale)
    if fields <= _CLOCK_FIELDS and isinstance(value, datetime):
        return _at_clock(skeleton, value.hour, value.minute, locale)
    return format_skeleton(skeleton, value, locale=locale)


@lru_cache(maxsize=64)
def _glue(locale: Locale) -> str:
    """How the language joins a date ({1}) and a time ({0})."""
    return str(get_datetime_format("medium", locale=locale)).replace("'", "")


def _date_and_time(value: datetime, locale: Locale) -> str:
    on = _written("yMMMd", value, locale)
    at = _written("Hm", value, locale)
    return _glue(locale).replace("{1}", on).replace("{0}", at)


@lru_cache(maxsize=512)
def _city(zone_key: str, locale: Locale) -> str:
    # Zones CLDR knows under an older name fall back to the name's tail: "Buenos Aires".
    return str(_location(zone_key, locale=locale, return_city=True)).rsplit("/", 1)[-1]


def zone_name(zone: tzinfo, locale: Locale | None = None) -> str | None:
    """The city that names `zone` ("Lisbon", "Лиссабон"), or None for zones without one (UTC,
    the Etc/GMT offsets), which a moment writes as an offset."""
    key = str(getattr(zone, "key", "UTC"))
    if key in _UTC_NAMES or key.startswith("Etc/"):
        return None
    return _city(key, locale or babel_locale())


def moment(value: datetime) -> str:
    """A date and time on the current zone's clock, the zone named: "5 Dec 2026, 10:13 (Lisbon
    time)". In UTC and the bare offsets: "5 Dec 2026, 10:13 UTC", "… GMT-05:00"."""
    locale, local = babel_locale(), _aware(value)
    when = _date_and_time(local, locale)
    city = zone_name(local.tzinfo or timezone.get_current_timezone(), locale)
    if city is not None:
        # Translators: a date and time, then the city whose clock it is read on:
        # "5 Dec 2026, 10:13 (Lisbon time)". The city comes translated.
        return _("%(moment)s (%(city)s time)") % {"moment": when, "city": city}
    offset = local.utcoffset()
    if offset is None or not offset:
        return f"{when} UTC"
    return f"{when} {get_timezone_gmt(local, locale=locale)}"


def day(value: date | datetime) -> str:
    """A date alone, "5 Dec 2026", on the current zone's calendar."""
    return _written("yMMMd", _local(value), babel_locale())


def short_day(value: date | datetime) -> str:
    """A date without its year, "5 Dec" (chart labels)."""
    return _written("MMMd", _local(value), babel_locale())


def money(amount: Decimal, currency: str) -> str:
    """An amount with its currency, as the language writes it: "1,234.56 EUR" (English keeps
    the code), "1.234,56 €", "R$ 1.234,56"; without a currency, the amount alone."""
    locale = babel_locale()
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=locale)
    if locale.language == "en":
        return format_currency(amount, currency, format=_ENGLISH_MONEY, locale=locale)
    return format_currency(amount, currency, locale=locale)


# The words of a duration, one per unit, with the language's plural forms (`%(count)s` first
# or last as the language puts it).
UNITS: dict[str, Callable[[int], str]] = {
    "day": lambda n: ngettext("%(count)s day", "%(count)s days", n),
    "hour": lambda n: ngettext("%(count)s hour", "%(count)s hours", n),
    "minute": lambda n: ngettext("%(count)s minute", "%(count)s minutes", n),
}


def _glued(text: str) -> str:
    return _NUMBER_THEN_SPACE.sub(rf"\1{_SPACE}", text)


def count_of(count: int, unit: str) -> str:
    """ "3 days", "1 hour": a count of one unit (a UNITS key), in the language's plural form."""
    return _glued(UNITS[unit](count) % {"count": count})


def _pair(larger: str, smaller: str) -> str:
    # Translators: a length of time in its two largest units: "3 days, 4 hours".
    return pgettext("a duration in two units", "%(larger)s, %(smaller)s") % {
        "larger": larger,
        "smaller": smaller,
    }


def _two_units(count: int, unit: str, smaller: int, smaller_unit: str) -> str:
    larger = count_of(count, unit)
    return _pair(larger, count_of(smaller, smaller_unit)) if smaller else larger


def duration(value: timedelta) -> str:
    """A length of time in its two largest units: "13 days, 20 hours", "5 hours, 3 minutes",
    "12 minutes" (a unit at zero is left out; under a minute is "less than a minute")."""
    minutes = max(int(value.total_seconds()) // 60, 0)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return _two_units(days, "day", hours, "hour")
    if hours:
        return _two_units(hours, "hour", mins, "minute")
    return count_of(mins, "minute") if mins else _("less than a minute")


def time_left(due_at: datetime, now: datetime) -> str:
    """ "3 days, 4 hours left", or "due now" once it has come."""
    if due_at <= now:
        # Translators: a deadline that has come (a countdown at zero).
        return _("due now")
    # Translators: the time until a deadline: "3 days, 4 hours left".
    return _("%(duration)s left") % {"duration": duration(due_at - now)}


@lru_cache(maxsize=32)
def _plural_examples(locale: Locale) -> tuple[tuple[str, int], ...]:
    """One whole number of each plural category of the language ("one": 1, "few": 2, …),
    the smallest from 1 up (0 last: English and gettext's fallback count it as many). Worked
    out once per language: every page's countdown words need it (200 plural rules asked)."""
    examples: dict[str, int] = {}
    for n in [*range(1, 200), 0]:
        examples.setdefault(locale.plural_form(n), n)
    return tuple(examples.items())


def countdown_words() -> dict[str, Any]:
    """The words static/js/countdown.js writes, in the active language: for each unit, its text
    per plural category (Intl.PluralRules picks one in the browser), "{n}" standing for the
    number, so the countdown says what the server says."""
    locale = babel_locale()
    examples = _plural_examples(locale)
    units = {
        unit: {
            category: _glued(words(n) % {"count": "{n}"}).replace("{n} ", f"{{n}}{_SPACE}")
            for category, n in examples
        }
        for unit, words in UNITS.items()
    }
    return {
        "locale": str(locale).replace("_", "-"),
        "units": units,
        "pair": _pair("{a}", "{b}"),
        "left": _("%(duration)s left") % {"duration": "{d}"},
        "due_now": _("due now"),
        "under_a_minute": _("less than a minute"),
    }


def parsed(value: str | datetime) -> datetime:
    """A moment kept in an event's data (ISO text in JSON) as a datetime again."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def business_days_after(value: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `value`, at the same time of day."""
    moved = value
    while days > 0:
        moved += timedelta(days=1)
        if moved.weekday() < 5:
            days -= 1
    return moved
