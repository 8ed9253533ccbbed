"""Reading a page, an email or a sentence rendered in the pseudo-locale (core.pseudo_locale) for
text that was never marked for translation: what shows outside the ⟦ ⟧ markers.

What may show unmarked is data, not words of the interface, and is allowed by what it is, never
by listing English words:
- whatever holds no letter (numbers, amounts, punctuation, symbols, times);
- numbers with their separators, references (PA-7KQ2M9XZ), ISO codes (USD, UTC), currency
  symbols, e-mail addresses, links, offsets (GMT-05:00);
- the calendar words the active locale's moments are written with (Babel's month and day names);
- values people or fixtures stored (`stored_data`: every free-text column, and the free text in
  timeline data), and names of data: the languages' own names, time zones and their cities;
- the product's name.
"""

import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale
from babel.dates import get_day_names, get_month_names
from django.apps import apps
from django.conf import settings
from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Cast
from django.utils.text import capfirst

from core.moments import babel_locale, zone_name
from core.pseudo_locale import CLOSE, OPEN, is_marked
from orders.models import Carrier

PRODUCT = "Parley"
BREAK = "\x00"  # between two text nodes, or two attribute values
SKIPPED = {"script", "style"}
SHOWN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "data-label"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Columns the code fills with its own sentences: words of the interface, never data.
WRITTEN_BY_CODE: dict[tuple[str, str | None], set[str]] = {
    ("notifications", "notification"): {"subject", "body", "last_error"},
    ("disputes", "refund"): {"reason"},
}
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_NOT_WORDS_PATTERNS = [
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail addresses
    r"https?://\S+",  # links
    r"\b[A-Z]{2,3}-[A-Z0-9]{4,}\b",  # references: PA-7KQ2M9XZ, DS-…
    r"\bGMT[+-]\d{2}:\d{2}\b",  # offsets
    r"\b[A-Z]{3}\b",  # ISO codes: currencies, UTC
    r"[A-Z]{0,3}[$€£¥₽₩₹]",  # currency symbols: $, R$, US$, JP¥
    r"\d+(?:[.,:\u00a0\u202f]\d+)*",  # numbers, amounts, times
]
_NOT_WORDS = re.compile("|".join(_NOT_WORDS_PATTERNS))
_CODE = re.compile(r"^[a-z0-9_.:-]*$")  # an identifier kept in data ("damaged"), not free text
_LETTER = re.compile(r"[^\W\d_]")


class _Reader(HTMLParser):
    """The text a reader sees, in document order, with a BREAK between nodes: text nodes
    outside script/style, and the attributes that are shown (title, alt, placeholder,
    aria-label, data-label, a button's value)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
        values = dict(attrs)
        shown = [values.get(name) for name in SHOWN_ATTRIBUTES]
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_TYPES:
            shown.append(values.get("value"))
        self.chunks += [BREAK + value + BREAK for value in shown if value]

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skipping:
            self.skipping -= 1
        self.chunks.append(BREAK)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def page_text(html: str) -> str:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "".join(reader.chunks)


def _unmarked(text: str) -> str:
    """`text` without its marked spans (innermost first, so nested ones go too): whatever a
    translation did not produce."""
    while True:
        stripped = _MARKED.sub(BREAK, text)
        if stripped == text:
            return stripped.replace(OPEN, BREAK).replace(CLOSE, BREAK)
        text = stripped


@cache
def _words_of_data(locale_name: str) -> frozenset[str]:
    """Names that are data whatever the page: time zones, their parts and the cities that name
    them, the languages' own names, the product's name; and the locale's calendar words."""
    zones = {zone.replace("_", " ") for zone in available_timezones()}
    parts = {part for zone in zones for part in zone.split("/")}
    languages = {name for _, name in settings.LANGUAGES}
    locale = Locale.parse(locale_name)
    cities = {zone_name(ZoneInfo(zone), locale) or "" for zone in available_timezones()}
    calendar: set[str] = set()
    for width in ("abbreviated", "wide"):
        for context in ("format", "stand-alone"):
            calendar |= set(get_month_names(width, context, locale).values())
            calendar |= set(get_day_names(width, context, locale).values())
    return frozenset(zones | parts | languages | cities | calendar | {PRODUCT})


def free_text(value: Any) -> Iterator[str]:
    """The strings in a JSON value that are free text (not identifiers like "damaged")."""
    if isinstance(value, str):
        if value and not _CODE.match(value):
            yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key != "text":  # an old row's English sentence: words, not data
                yield from free_text(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from free_text(item)


def is_ours(path: Path) -> bool:
    """Parley's own code: under the project, and not in a virtualenv kept there (`make` puts
    `.venv` inside the checkout, where Django and the other libraries then live)."""
    resolved = path.resolve()
    return resolved.is_relative_to(settings.BASE_DIR.resolve()) and not resolved.is_relative_to(
        Path(sys.prefix).resolve()
    )


@cache
def _free_text_columns(libraries: bool) -> list[tuple[Any, str, bool]]:
    """(model, column, is JSON) for every free-text column (no choices) and JSON column."""
    found = []
    tables = [app for app in apps.get_app_configs() if libraries or is_ours(Path(app.path))]
    for model in (model for app in tables for model in app.get_models()):
        skipped = WRITTEN_BY_CODE.get((model._meta.app_label, model._meta.model_name), set())
        for column in model._meta.concrete_fields:
            if column.name in skipped or column.choices:
                continue
            if isinstance(column, models.CharField | models.TextField | models.JSONField):
                found.append((model, column.name, isinstance(column, models.JSONField)))
    return found


@cache
def _stored_data_sql(libraries: bool) -> tuple[str, tuple]:
    """One query for all those columns, (is JSON, value as text) per row, compiled once."""
    parts = [
        model._default_manager.annotate(
            _json=Value(is_json), _text=Cast(column, output_field=models.TextField())
        )
        .order_by()
        .values_list("_json", "_text")
        for model, column, is_json in _free_text_columns(libraries)
    ]
    return parts[0].union(*parts[1:], all=True).order_by().query.sql_with_params()


def stored_data(*, libraries: bool = False) -> set[str]:
    """Every value of a free-text column (no choices) of Parley's own models, and the free text
    in their JSON columns: what people and fixtures typed (names, titles, messages, reasons).
    Django's and other libraries' tables are left out (their values are names of code:
    "dispute" in content types), except for the admin, which lists them (`libraries`).
    All in one query (it is read before every page a test looks at)."""
    found: set[str] = set()
    with connection.cursor() as cursor:
        cursor.execute(*_stored_data_sql(libraries))
        for is_json, value in cursor.fetchall():
            if is_json and value is not None:
                found |= set(free_text(json.loads(value)))
            else:
                found.add(value)
    return {value.strip() for value in found if value and value.strip()}


def library_names() -> set[str]:
    """The names libraries give their apps and models (the admin shows them) where no catalogue
    translates them: in the pseudo-locale they come out unmarked. The library's words, which
    Parley cannot translate; Parley's own apps are never excused."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        if is_ours(Path(app.path)):
            continue
        models_ = list(app.get_models())
        given = [app.verbose_name, *(m._meta.verbose_name for m in models_)]
        given += [m._meta.verbose_name_plural for m in models_]
        names |= {capfirst(str(name)) for name in given if not is_marked(str(name))}
    return names


def code_names() -> set[str]:
    """The admin's names of Parley's own apps, models and fields where the code gives none and
    Django derives one from the identifier ("Opened at", "Dispute events"): the admin is staff
    tooling, its own words in Django's catalogue, the tables and columns named as the code
    names them (a choice: docs/architecture.md, Languages). Names the code gives are marked."""
    names: set[str] = set()
    for app in apps.get_app_configs():
        if not is_ours(Path(app.path)):
            continue
        if "verbose_name" not in type(app).__dict__:
            names.add(str(app.verbose_name))
        for model in app.get_models():
            given = model._meta.original_attrs
            if "verbose_name" not in given:
                names.add(str(model._meta.verbose_name))
            if "verbose_name_plural" not in given and "verbose_name" not in given:
                names.add(str(model._meta.verbose_name_plural))
            fields = [f for f in model._meta.get_fields() if isinstance(f, models.Field)]
            derived = [f for f in fields if getattr(f, "_verbose_name", "") is None]
            names |= {str(field.verbose_name) for field in derived}
    return {form for name in names for form in (name, capfirst(name))}


def brand_names() -> set[str]:
    """Carriers' names are brands, the same in every language."""
    return {str(label) for label in Carrier.labels}


class Allowed:
    """What may show unmarked: the data of one look (the database changes between looks) and
    the names and patterns that are data on every page."""

    def __init__(self, data: Iterable[str] = ()) -> None:
        words = set(data) | _words_of_data(str(babel_locale()))
        self.literals = sorted((w for w in words if _LETTER.search(w)), key=len, reverse=True)

    def strip(self, piece: str, blank: str = " ") -> str:
        """`piece` with its data blanked out."""
        for literal in self.literals:  # first: data may hold digits ("JD0001")
            if literal in piece:
                piece = re.sub(rf"(?<!\w){re.escape(literal)}(?!\w)", blank, piece)
        return _NOT_WORDS.sub(blank, piece)

    def shape(self, piece: str) -> str:
        """What is left of `piece` for a translator, its data as "…": "Order …" for "Order
        PA-T0000005" (the same text on many pages, with other data, is one finding)."""
        words = self.strip(piece, "\x01")
        words = re.sub(r"\x01(?:[\s\d\W]*\x01)*", "…", words)
        return " ".join(words.split())


def unmarked_strings(text: str, allowed: Allowed) -> list[str]:
    """The pieces of `text` (rendered in the pseudo-locale) that no translation produced and
    that are not data: each piece as it reads, whitespace tidied."""
    found = []
    for piece in re.split(rf"[{BREAK}\n]", _unmarked(text)):
        piece = " ".join(piece.split())
        if piece and _LETTER.search(allowed.strip(piece)):
            found.append(piece)
    return found


def _holding(piece: str, templates: Iterable[Any]) -> list[Any]:
    runs = re.split(r"\s*(?:[^\w\s'’,.-]|\d)+\s*", piece)
    probe = max(runs, key=len) if max(map(len, runs)) >= 6 else piece
    return [t for t in templates if t.name and probe in (getattr(t, "source", "") or "")]


def sources_of(piece: str, templates: Iterable[Any]) -> list[str]:
    """The templates whose source holds `piece` (its longest run of words between data and
    punctuation), or ["python"] when none does: a view, a form or a service wrote it."""
    return sorted({t.name for t in _holding(piece, templates)}) or ["python"]


def in_library_templates_only(piece: str, templates: Iterable[Any]) -> bool:
    """Whether `piece` is found only in templates of libraries (the admin's `alt="Search"`):
    the library's words, which Parley's marking cannot reach."""
    holding = _holding(piece, templates)
    origins = [Path(str(getattr(t.origin, "name", ""))) for t in holding]
    return bool(origins) and not any(is_ours(origin) for origin in origins)
