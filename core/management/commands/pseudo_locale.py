"""`manage.py pseudo_locale`: write the pseudo-translation (core.pseudo_locale) under var/, to
look at the pages in it or to read its catalogue. tests/test_pseudo_locale.py builds its own."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from core.pseudo_locale import PSEUDO_LANGUAGE, build


class Command(BaseCommand):
    help = "Generate and compile the pseudo-locale catalogue (en-xa) under var/pseudo-locale."

    def add_arguments(self, parser: CommandParser) -> None:
        default = Path(settings.VAR_DIR) / "pseudo-locale"
        parser.add_argument("--out", type=Path, default=default, help=f"default: {default}")

    def handle(self, *args: Any, **options: Any) -> None:
        locale_path = build(options["out"])
        self.stdout.write(
            f"Wrote {locale_path}/en_XA/LC_MESSAGES/django.po and .mo: add {locale_path} to "
            f"LOCALE_PATHS and ({PSEUDO_LANGUAGE!r}, 'Pseudo') to LANGUAGES to read Parley in it."
        )
