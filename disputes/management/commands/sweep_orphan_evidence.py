from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from disputes.tasks import ORPHAN_GRACE, sweep_orphan_evidence


class Command(BaseCommand):
    help = (
        "Delete evidence files in storage that no evidence row references, left by acts whose "
        "transaction rolled back (also run daily by Celery beat)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=int(ORPHAN_GRACE.total_seconds() // 60),
            help="Spare newer files: their transaction may still be open (default: 60).",
        )
        parser.add_argument("--dry-run", action="store_true", help="List, delete nothing.")

    def handle(self, *args: Any, older_than_minutes: int, dry_run: bool, **options: Any) -> None:
        grace = timedelta(minutes=max(older_than_minutes, 0))
        names = sweep_orphan_evidence(grace=grace, dry_run=dry_run)
        for name in names:
            self.stdout.write(f"  {name}")
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"sweep_orphan_evidence: {verb} {len(names)} orphan evidence files.")
