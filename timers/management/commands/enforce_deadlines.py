from django.core.management.base import BaseCommand

from timers.engine import enforce_deadlines


class Command(BaseCommand):
    help = "Act on every overdue deadline, in the order they fell due (also run by Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=200)

    def handle(self, *args, batch_size: int, **options) -> None:
        report = enforce_deadlines(batch_size=batch_size)
        summary = ", ".join(f"{n} {name}" for name, n in report.acted.items()) or "nothing due"
        self.stdout.write(f"enforce_deadlines: {summary} ({report.batches} batches)")
