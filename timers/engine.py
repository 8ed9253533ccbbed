"""The rule engine: everything overdue, in the order it fell due, once, however often it runs.

Run by Celery beat every minute and by `manage.py enforce_deadlines`. Safe to run twice at once
(rows are claimed with SKIP LOCKED and acted on under the lock) and after days of downtime (it
loops in batches, in the order things fell due, until nothing overdue is left). Each batch is
one transaction per rule: one statement per table for a few hundred acts, which is what lets a
single engine clear a backlog of thousands of clocks a second.
"""

import heapq
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.errors import ActionRefused, StaleState
from disputes.ledger import settled_by_worker
from notifications.services import deferred_delivery

from .rules import RULES, Rule

logger = logging.getLogger(__name__)


@dataclass
class Report:
    acted: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    failed: int = 0
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.acted.values())


def _plan(rules: list[Rule], now: datetime, size: int, skip) -> list[tuple[Rule, int]]:
    """How many of the next `size` overdue items each rule has, in the order they fell due
    across all rules (a read: nothing is locked yet)."""
    lists = [rule.candidates(now, size, skip[rule.name]) for rule in rules]
    merged = heapq.merge(*lists, key=lambda due: (due.due_at, due.pk))
    batch = [due for _, due in zip(range(size), merged, strict=False)]
    shares = Counter(due.rule.name for due in batch)
    first_due = {}
    for due in batch:
        first_due.setdefault(due.rule.name, due.due_at)
    ordered = sorted((rule for rule in rules if shares[rule.name]), key=lambda r: first_due[r.name])
    return [(rule, shares[rule.name]) for rule in ordered]


def _act(rule: Rule, count: int, now: datetime, report: Report, skip) -> int:
    """Claim up to `count` of the rule's overdue rows and act on them in one transaction.
    If anything in the batch is refused, it is undone and the rows are taken one at a time,
    so that one bad row does not hold up the others. Returns how many rows were claimed."""
    claimed: list[int] = []
    try:
        with transaction.atomic():
            rows = rule.claim(now, count, skip[rule.name])
            claimed = [row.pk for row in rows]
            if rows:
                _count(rule, rule.act(rows, now), report, skip)
    except Exception as refused:
        size = len(claimed)
        logger.warning("%s: a batch of %s was refused (%s); one by one", rule.name, size, refused)
        for pk in claimed:
            _act_alone(rule, pk, now, report, skip)
    return len(claimed)


def _act_alone(rule: Rule, pk: int, now: datetime, report: Report, skip) -> None:
    try:
        with transaction.atomic():
            rows = rule.claim(now, 1, skip[rule.name], pks=[pk])
            if rows:
                _count(rule, rule.act(rows, now), report, skip)
    except (ActionRefused, StaleState) as refused:
        logger.info("%s: %s retired (%s)", rule.name, pk, refused)
        rule.retire(pk, now)
        report.skipped += 1
        skip[rule.name].add(pk)
    except Exception:
        logger.exception("%s: %s failed; left for the next run", rule.name, pk)
        report.failed += 1
        skip[rule.name].add(pk)


def _count(rule: Rule, outcome, report: Report, skip) -> None:
    if outcome.acted:
        report.acted[rule.name] = report.acted.get(rule.name, 0) + outcome.acted
    report.skipped += len(outcome.passed)
    skip[rule.name].update(outcome.passed)


def enforce_deadlines(
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
    rules: list[Rule] | None = None,
) -> Report:
    now = now or timezone.now()
    rules = rules or RULES
    report = Report()
    # Rows that turned out to need nothing are not listed again in this run; the next run
    # looks at them afresh.
    skip: dict[str, set[int]] = {rule.name: set() for rule in rules}
    # One notification-delivery task for the whole run; refunds settled by the worker.
    with deferred_delivery(), settled_by_worker():
        while plan := _plan(rules, now, batch_size, skip):
            claimed = sum(_act(rule, count, now, report, skip) for rule, count in plan)
            if not claimed:
                break  # all that is left is held by another engine or a person right now
            report.batches += 1
            logger.info("enforce_deadlines batch %s: %s acted so far", report.batches, report.total)
    return report
