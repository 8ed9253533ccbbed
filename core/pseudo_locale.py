"""A pseudo-translation, to find text nobody marked for translation.

Every message Parley marks (extracted as `makemessages` does) and every message of Django and
the installed apps (their English catalogues) is "translated" into itself, accented and wrapped
in markers: "Refund of %(amount)s" becomes "⟦Ŕéƒúñð óƒ %(amount)s⟧". Placeholders, template
variables, tags and entities stay as they are, and plural forms stay plural. Rendered in this
language, a page shows every marked word between ⟦ ⟧; whatever shows outside them was never
marked (tests/test_pseudo_locale.py).

The catalogue is generated (into var/ or a test's temporary folder), never committed:
`manage.py pseudo_locale` writes one, the test builds its own. The language code is `en-xa`
(locale en_XA, the pseudo-locale Android and Chromium use): no real catalogue of Django or
anyone else answers to it, and where a message is missing, gettext falls back to English.
"""

import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import chdir
from pathlib import Path

import django
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.commands import makemessages
from django.test.utils import override_settings

PSEUDO_LANGUAGE = "en-xa"  # Django's language code
PSEUDO_LOCALE = "en_XA"  # its folder under a locale path
OPEN, CLOSE = "⟦", "⟧"
# Not Parley's own text, or not shipped: never extracted.
IGNORED = [".venv", "var", "bench", "examples", "tests", "locale", "node_modules", "static"]

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "áƀçđéƒĝĥíĵķĺɱñóþǫŕšŧúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŦÚṼŴẊÝŽ"
_ACCENT = str.maketrans(_PLAIN, _ACCENTED)
# What a translation must keep as it is: %-placeholders, {{ variables }} and {braces}, HTML
# tags and entities.
_KEPT = re.compile(
    r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
    r"|\{\{.*?\}\}|\{[^{}\s]*\}|<[^<>]*>|&#?\w+;"
)
# A list the code splits itself ("yes,no,maybe" for the yesno filter): each item marked.
_WORD_LIST = re.compile(r"^[^\s,]+(?:,[^\s,]+)+$")
_UNSET_PLURALS = "nplurals=INTEGER; plural=EXPRESSION;"
_ENGLISH_PLURALS = "nplurals=2; plural=(n != 1);"


def _accented(text: str) -> str:
    pieces, start = [], 0
    for kept in _KEPT.finditer(text):
        pieces += [text[start : kept.start()].translate(_ACCENT), kept.group()]
        start = kept.end()
    return "".join([*pieces, text[start:].translate(_ACCENT)])


def pseudo(text: str) -> str:
    """ "Refund of %(amount)s" → "⟦Ŕéƒúñð óƒ %(amount)s⟧"."""
    if not text:
        return text
    if _WORD_LIST.match(text):
        return ",".join(pseudo(item) for item in text.split(","))
    return f"{OPEN}{_accented(text)}{CLOSE}"


def is_marked(text: str) -> bool:
    return text.startswith(OPEN) and text.endswith(CLOSE)


class _Extract(makemessages.Command):
    """makemessages, with every file's messages written under one folder of our choosing
    (makemessages itself picks the project's locale/ for any file beside it)."""

    into = ""

    def find_files(self, root: str) -> list[makemessages.TranslatableFile]:
        found = super().find_files(root)
        self.locale_paths = [self.into]
        return [makemessages.TranslatableFile(f.dirpath, f.file, self.into) for f in found]


def extract(into: Path) -> Path:
    """Parley's marked messages, as `makemessages` finds them, in a fresh catalogue."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    command = _Extract()
    command.into = str(into)
    with override_settings(LOCALE_PATHS=[into]), chdir(settings.BASE_DIR):
        call_command(
            command,
            locale=[PSEUDO_LOCALE],
            domain="django",
            ignore_patterns=list(IGNORED),
            no_obsolete=True,
            verbosity=0,
        )
    catalogue = into / PSEUDO_LOCALE / "LC_MESSAGES" / "django.po"
    # makemessages leaves the header's plural rule for a translator: English's, here.
    text = catalogue.read_text(encoding="utf-8")
    catalogue.write_text(text.replace(_UNSET_PLURALS, _ENGLISH_PLURALS), encoding="utf-8")
    return catalogue


def django_catalogues() -> Iterator[Path]:
    """A catalogue of Django and of every installed app that has one, English where there is
    one, else any (every catalogue of an app holds the same msgids): all the messages they can
    show (form errors, the admin, the date filter, a library's admin labels)."""
    roots = [Path(django.__file__).parent / "conf", *(Path(a.path) for a in apps.get_app_configs())]
    for root in roots:
        english = root / "locale" / "en" / "LC_MESSAGES" / "django.po"
        others = sorted((root / "locale").glob("*/LC_MESSAGES/django.po"))
        if english.exists() or others:
            yield english if english.exists() else others[0]


def _messages(sources: Iterable[Path]) -> Iterator[Message]:
    for source in sources:
        with source.open("rb") as po:
            yield from (message for message in read_po(po) if message.id)


def pseudo_catalogue(sources: Iterable[Path]) -> Catalog:
    # English plural rules (two forms), as the messages are English underneath.
    catalogue = Catalog(locale="en", project="Parley pseudo-locale", fuzzy=False)
    for message in _messages(sources):
        if isinstance(message.id, tuple | list):
            string: str | tuple[str, ...] = tuple(pseudo(form) for form in message.id)
        else:
            string = pseudo(message.id)
        flags = [flag for flag in message.flags if flag != "fuzzy"]
        catalogue.add(message.id, string, flags=flags, context=message.context)
    return catalogue


def build(out: Path) -> Path:
    """Extract, translate into the pseudo-locale and compile, under `out`; return the locale
    path to add to LOCALE_PATHS (`out/locale`, holding en_XA/LC_MESSAGES/django.po and .mo)."""
    parley = extract(out / "extracted")
    catalogue = pseudo_catalogue([parley, *django_catalogues()])
    folder = out / "locale" / PSEUDO_LOCALE / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "django.po").open("wb") as po:
        write_po(po, catalogue, width=100)
    with (folder / "django.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    return out / "locale"
