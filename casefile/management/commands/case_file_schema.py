"""Write the case file's JSON Schema to docs/case-file.schema.json (tests fail when it is stale)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from casefile.schemas import case_file_schema_text

SCHEMA_FILE = Path(settings.BASE_DIR) / "docs" / "case-file.schema.json"


class Command(BaseCommand):
    help = "Write the case file's JSON Schema to docs/case-file.schema.json."

    def handle(self, *args: Any, **options: Any) -> None:
        SCHEMA_FILE.write_text(case_file_schema_text(), encoding="utf-8")
        self.stdout.write(f"Wrote {SCHEMA_FILE}")
