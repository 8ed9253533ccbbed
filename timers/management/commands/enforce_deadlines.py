from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from timers.engine import enforce_deadlines


class Command(BaseCommand):
    help = "Act on every overdue deadline, in the order they fell due (also run by Celery beat)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Acts per transaction (a person acting on a case in the batch waits for it).",
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        report = enforce_deadlines(batch_size=batch_size)
        summary = ", ".join(f"{n} {name}" for name, n in report.acted.items()) or "nothing due"
        notes = [f"{report.batches} batches"]
        notes += [f"{report.skipped} passed by"] if report.skipped else []
        notes += [f"{report.failed} FAILED, see the log"] if report.failed else []
        self.stdout.write(f"enforce_deadlines: {summary} ({', '.join(notes)})")
