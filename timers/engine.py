"""The rule engine: everything overdue, in the order it fell due, once, however often it runs.

Run by Celery beat every minute and by `manage.py enforce_deadlines`. Safe to run twice at once
(rows are claimed with SKIP LOCKED and re-checked under the lock) and after days of downtime
(it loops in batches until nothing overdue is left).
"""

import heapq
import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from notifications.services import deferred_delivery

from .rules import RULES, Due, Rule

logger = logging.getLogger(__name__)


@dataclass
class Report:
    acted: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.acted.values())


def _next_batch(
    rules: list[Rule], now: datetime, size: int, skip: dict[str, set[int]]
) -> list[Due]:
    """The `size` earliest overdue items across all rules (each rule lists in due order)."""
    lists = [rule.candidates(now, size, skip[rule.name]) for rule in rules]
    merged = heapq.merge(*lists, key=lambda due: (due.due_at, due.pk))
    return [due for _, due in zip(range(size), merged, strict=False)]


def _fire_all(batch: list[Due], now: datetime, report: Report, skip, per_commit: int) -> None:
    """Act on a batch, committing every `per_commit` items: one commit per item would cost
    more than the act itself, while a short transaction keeps people's waits on a locked
    dispute brief. Each item is its own savepoint, so one failure does not undo the others."""
    for start in range(0, len(batch), per_commit):
        with transaction.atomic():
            for due in batch[start : start + per_commit]:
                if due.rule.fire(due.pk, now):
                    report.acted[due.rule.name] = report.acted.get(due.rule.name, 0) + 1
                else:
                    report.skipped += 1
                    skip[due.rule.name].add(due.pk)


def enforce_deadlines(
    *,
    now: datetime | None = None,
    batch_size: int = 200,
    per_commit: int = 1,
    rules: list[Rule] | None = None,
) -> Report:
    now = now or timezone.now()
    rules = rules or RULES
    report = Report()
    # Rows another engine holds (or that turned out to need nothing) are not listed again in
    # this run; the next run looks at them afresh.
    skip: dict[str, set[int]] = {rule.name: set() for rule in rules}
    with deferred_delivery():  # one delivery task for the whole run, not one per act
        while batch := _next_batch(rules, now, batch_size, skip):
            report.batches += 1
            _fire_all(batch, now, report, skip, per_commit)
            logger.info(
                "enforce_deadlines batch %s: %s acted so far, up to %s",
                report.batches,
                report.total,
                batch[-1].due_at.isoformat(),
            )
    return report
