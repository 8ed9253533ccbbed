"""A catalogue of a few words in one language, compiled into a folder and put ahead of every
other (LOCALE_PATHS): a test's words go through gettext without waiting for the real one."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from django.test.utils import override_settings

Words = Mapping[str | tuple[str, str], str | tuple[str, ...]]


@contextmanager
def tiny_catalogue(folder: Path, language: str, words: Words) -> Iterator[None]:
    catalog = Catalog(locale=language)
    for msgid, msgstr in words.items():
        catalog.add(msgid, msgstr)
    messages = folder / language / "LC_MESSAGES"
    messages.mkdir(parents=True)
    with open(messages / "django.mo", "wb") as mo:
        write_mo(mo, catalog)
    with override_settings(LOCALE_PATHS=[folder]):
        yield
