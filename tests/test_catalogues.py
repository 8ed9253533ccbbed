"""The translations: for Spanish, Brazilian Portuguese and Russian, locale/<lang>/LC_MESSAGES/
django.po compiles (`msgfmt --check`), holds every message Parley marks, none empty, none fuzzy,
with the language's plural rule; Russian's three plural forms read right through ngettext; and
money is written each language's way (Babel, no catalogue needed).

Until the catalogues are written (one `makemessages` after the marking branches merge, then the
translators), the catalogue tests skip, saying so.
"""

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from gettext import c2py
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from django.conf import settings
from django.test.utils import override_settings
from django.utils import translation

from core import moments
from core.pseudo_locale import extract

NBSP = "\u00a0"
# Folder under locale/ -> Django's language code, and the number of plural forms.
CATALOGUES = {"es": ("es", 2), "pt_BR": ("pt-br", 2), "ru": ("ru", 3)}
LOCALE = Path(settings.BASE_DIR) / "locale"


def _po(folder: str) -> Path:
    return LOCALE / folder / "LC_MESSAGES" / "django.po"


def _catalogue(folder: str) -> Catalog:
    if not _po(folder).exists():
        pytest.skip(
            f"locale/{folder} is not written yet: after the merge, `manage.py makemessages -l "
            f"{folder}` makes it and translators fill it (then this test is required)"
        )
    with _po(folder).open("rb") as po:
        return read_po(po)


def _msgfmt() -> str:
    found = shutil.which("msgfmt")
    if found is None:
        pytest.skip("GNU gettext is not installed (Debian: apt-get install gettext; CI has it)")
    return found


@pytest.fixture(scope="module")
def marked(tmp_path_factory) -> set[tuple[str | None, str]]:
    """Every (context, message) Parley marks, extracted as makemessages does."""
    if not any(_po(folder).exists() for folder in CATALOGUES):
        pytest.skip("no catalogue is written yet: nothing to compare")
    _msgfmt()  # extraction needs gettext's xgettext, which comes with it
    with extract(tmp_path_factory.mktemp("extracted")).open("rb") as po:
        return {(m.context, _singular(m.id)) for m in read_po(po) if m.id}


def _singular(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> Path:
    """The catalogues compiled into a folder of their own (the checkout's locale/ is the
    build's to compile)."""
    out = tmp_path_factory.mktemp("compiled")
    for folder in CATALOGUES:
        if _po(folder).exists():
            target = out / folder / "LC_MESSAGES"
            target.mkdir(parents=True)
            mo = target / "django.mo"
            subprocess.run([_msgfmt(), "--check", "-o", mo, _po(folder)], check=True)
    return out


@pytest.mark.parametrize("folder", CATALOGUES)
def test_the_catalogue_compiles(folder):
    _catalogue(folder)
    result = subprocess.run(
        [_msgfmt(), "--check", "--statistics", "-o", "/dev/null", _po(folder)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("folder", CATALOGUES)
def test_no_message_is_empty_or_fuzzy(folder):
    catalogue = _catalogue(folder)
    assert not catalogue.fuzzy, "the header is fuzzy: msgfmt would drop it, plural rule and all"
    messages = [m for m in catalogue if m.id]
    empty = [
        m.id for m in messages if not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"{len(empty)} untranslated in locale/{folder}: {empty[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in locale/{folder}: {fuzzy[:20]}"


@pytest.mark.parametrize("folder", CATALOGUES)
def test_every_marked_message_is_in_the_catalogue(folder, marked):
    catalogue = _catalogue(folder)
    present = {(m.context, _singular(m.id)) for m in catalogue if m.id}
    missing = sorted(marked - present, key=str)
    assert not missing, (
        f"{len(missing)} messages not in locale/{folder}: run makemessages: {missing[:20]}"
    )


@pytest.mark.parametrize("folder", CATALOGUES)
def test_the_plural_rule_is_the_languages(folder):
    """Whole numbers fall into the language's forms (Russian: 1 день, 2 дня, 5 дней) exactly as
    CLDR's categories part them, which the browser's Intl.PluralRules uses for the countdown.
    (makemessages copies Django's own Russian header, whose 4th form is for fractions: Parley
    counts no fractions, so 3 or 4 forms both do.)"""
    catalogue = _catalogue(folder)
    forms = CATALOGUES[folder][1]
    rule, cldr = c2py(catalogue.plural_expr), Locale.parse(folder).plural_form
    assert catalogue.num_plurals in (forms, forms + 1)
    assert len({rule(n) for n in range(1000)}) == forms
    for n in range(1000):
        for m in range(n + 1, min(n + 120, 1000)):
            assert (rule(n) == rule(m)) == (cldr(n) == cldr(m)), (folder, n, m)


@pytest.mark.parametrize(
    ("days", "words"),
    [(1, "1 день"), (2, "2 дня"), (5, "5 дней"), (21, "21 день"), (22, "22 дня"), (11, "11 дней")],
)
def test_russian_counts_days_in_three_forms(compiled, days, words):
    _catalogue("ru")
    with override_settings(LOCALE_PATHS=[compiled]), translation.override("ru"):
        assert moments.duration(timedelta(days=days)) == words.replace(" ", NBSP)


@pytest.mark.parametrize("folder", CATALOGUES)
def test_the_countdown_writes_what_the_server_writes(compiled, folder):
    """For every count, the browser's pick (the CLDR category's text) is the server's ngettext."""
    _catalogue(folder)
    language = CATALOGUES[folder][0]
    with override_settings(LOCALE_PATHS=[compiled]), translation.override(language):
        words, cldr = moments.countdown_words(), moments.babel_locale().plural_form
        for unit in moments.UNITS:
            for n in range(0, 200):
                browser = words["units"][unit][cldr(n)].replace("{n}", str(n))
                assert browser == moments.count_of(n, unit), (unit, n)


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "1,234.56 EUR"),
        ("es", f"1.234,56{NBSP}€"),
        ("pt-br", f"€{NBSP}1.234,56"),
        ("ru", f"1{NBSP}234,56{NBSP}€"),
    ],
)
def test_money_in_euros_per_language(language, written):
    with translation.override(language):
        assert moments.money(Decimal("1234.56"), "EUR") == written


def test_money_in_reais_per_language():
    with translation.override("pt-br"):
        assert moments.money(Decimal("1234.56"), "BRL") == f"R${NBSP}1.234,56"
    with translation.override("es"):
        assert moments.money(Decimal("-5"), "EUR") == f"-5,00{NBSP}€"
