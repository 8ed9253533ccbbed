"""The rule engine: everything overdue, in the order it fell due, once, however often it runs.

Run by Celery beat every minute and by `manage.py enforce_deadlines`. Safe to run twice at once
(rows are claimed with SKIP LOCKED and acted on under the lock) and after days of downtime (it
loops in batches, in the order things fell due, until nothing overdue is left). Each batch is
one transaction per rule: one statement per table for a few hundred acts, which is what lets a
single engine clear a backlog of thousands of clocks a second.

The engine knows how to plan, claim, lock and batch; the rules themselves (what is overdue,
what to lock with it, what to do) are the disputes app's (disputes.clocks.rules).
"""

import heapq
import logging
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import ActionRefused, StaleState
from disputes.clocks.rules import RULES, running

logger = logging.getLogger(__name__)


class Outcome(Protocol):
    @property
    def acted(self) -> int: ...
    @property
    def passed(self) -> Collection[int]: ...  # claimed rows that needed nothing


class Rule(Protocol):
    """A rule: rows overdue through an indexed column (`due_field`), locked with the tables
    named in `locks` (SELECT … FOR UPDATE OF), loaded with `related`, acted on in a batch."""

    @property
    def name(self) -> str: ...
    @property
    def due_field(self) -> str: ...
    @property
    def locks(self) -> tuple[str, ...]: ...
    @property
    def related(self) -> tuple[str, ...]: ...
    def overdue(self, now: datetime) -> QuerySet[Any]: ...
    def loaded(self, rows: list[Any]) -> list[Any]: ...
    def act(self, rows: list[Any], now: datetime) -> Outcome: ...
    def retire(self, pk: int, now: datetime) -> None: ...


Skip = dict[str, set[int]]  # per rule: rows this run passes by


@dataclass
class Report:
    acted: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    failed: int = 0
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.acted.values())


@dataclass(frozen=True)
class _Due:
    due_at: datetime
    rule: Rule
    pk: int


def _candidates(rule: Rule, now: datetime, limit: int, skip: set[int]) -> list[_Due]:
    """The first `limit` overdue rows of a rule, in due order, not locked (to plan a batch)."""
    rows = rule.overdue(now).exclude(pk__in=skip).order_by(rule.due_field, "id")
    return [_Due(due, rule, pk) for due, pk in rows.values_list(rule.due_field, "id")[:limit]]


def _claim(
    rule: Rule, now: datetime, limit: int, skip: set[int], pks: list[int] | None = None
) -> list[Any]:
    """Lock up to `limit` overdue rows in due order, passing over rows someone holds (SKIP
    LOCKED: another engine's batch or a person's act is never waited for)."""
    rows = rule.overdue(now).exclude(pk__in=skip)
    if pks is not None:
        rows = rows.filter(pk__in=pks)
    rows = rows.select_for_update(skip_locked=True, of=rule.locks)
    if rule.related:
        rows = rows.select_related(*rule.related)
    return rule.loaded(list(rows.order_by(rule.due_field, "id")[:limit]))


def _plan(rules: Sequence[Rule], now: datetime, size: int, skip: Skip) -> list[tuple[Rule, int]]:
    """How many of the next `size` overdue items each rule has, in the order they fell due
    across all rules (a read: nothing is locked yet)."""
    lists = [_candidates(rule, now, size, skip[rule.name]) for rule in rules]
    merged = heapq.merge(*lists, key=lambda due: (due.due_at, due.pk))
    batch = [due for _, due in zip(range(size), merged, strict=False)]
    shares = Counter(due.rule.name for due in batch)
    first_due: dict[str, datetime] = {}
    for due in batch:
        first_due.setdefault(due.rule.name, due.due_at)
    ordered = sorted((rule for rule in rules if shares[rule.name]), key=lambda r: first_due[r.name])
    return [(rule, shares[rule.name]) for rule in ordered]


def _act(rule: Rule, count: int, now: datetime, report: Report, skip: Skip) -> int:
    """Claim up to `count` of the rule's overdue rows and act on them in one transaction.
    If anything in the batch is refused, it is undone and the rows are taken one at a time,
    so that one bad row does not hold up the others. Returns how many rows were claimed."""
    claimed: list[int] = []
    try:
        with transaction.atomic():
            rows = _claim(rule, now, count, skip[rule.name])
            claimed = [row.pk for row in rows]
            if rows:
                _count(rule, rule.act(rows, now), report, skip)
    except Exception as refused:
        if not claimed:
            # The claim itself failed (the database, not a row): the run must fail loudly, not
            # take it for "nothing left to claim" and exit as if all were done.
            raise
        size = len(claimed)
        logger.warning("%s: a batch of %s was refused (%s); one by one", rule.name, size, refused)
        for pk in claimed:
            _act_alone(rule, pk, now, report, skip)
    return len(claimed)


def _act_alone(rule: Rule, pk: int, now: datetime, report: Report, skip: Skip) -> None:
    try:
        with transaction.atomic():
            rows = _claim(rule, now, 1, skip[rule.name], pks=[pk])
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


def _count(rule: Rule, outcome: Outcome, report: Report, skip: Skip) -> None:
    if outcome.acted:
        report.acted[rule.name] = report.acted.get(rule.name, 0) + outcome.acted
    report.skipped += len(outcome.passed)
    skip[rule.name].update(outcome.passed)


def enforce_deadlines(
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
    rules: Sequence[Rule] | None = None,
) -> Report:
    now = now or timezone.now()
    rules = rules or RULES
    report = Report()
    # Rows that turned out to need nothing are not listed again in this run; the next run
    # looks at them afresh.
    skip: Skip = {rule.name: set() for rule in rules}
    with running():
        while plan := _plan(rules, now, batch_size, skip):
            claimed = sum(_act(rule, count, now, report, skip) for rule, count in plan)
            if not claimed:
                break  # all that is left is held by another engine or a person right now
            report.batches += 1
            logger.info("enforce_deadlines batch %s: %s acted so far", report.batches, report.total)
    return report
