"""Deadlines decide: a clock that has run out has decided, whether or not the engine has run.

Before a person's act on a dispute, the dispute's clocks already due are carried out first,
by the engine's own rule restricted to that dispute (the same batch acts, dated when each
clock fell due, in due order); if any was, the act comes too late and is refused with what
happened. `disputes.services` and `arbitration.services` export their acts on a dispute
through `deadlines_first`. Under the dispute's lock, `kernel.lock(dispute, now)` refuses again
if a clock fell due in the instant between.
"""

import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone

from core.errors import ActionRefused, StaleState, TooLate

# The module, not its names: the rules reach the batch acts through this package, so this
# file is read while the rules module may still be loading.
from ..clocks import clock_of
from ..clocks import rules as clock_rules
from ..models import Deadline, Dispute

logger = logging.getLogger(__name__)


def _overdue_one(dispute: Dispute, now: datetime) -> Deadline | None:
    """The dispute's earliest clock due by `now`, claimed as the engine claims it."""
    rule = clock_rules.DisputeDeadlineRule()
    rows = (
        rule.overdue(now)
        .filter(dispute_id=dispute.pk)
        .select_for_update(of=rule.locks)
        .select_related(*rule.related)
        .order_by(rule.due_field, "id")[:1]
    )
    found = rule.loaded(list(rows))
    return found[0] if found else None


def _fire_next(dispute: Dispute, now: datetime) -> tuple[bool, str]:
    """Carry out the dispute's earliest overdue clock, as the engine's rule does. Returns
    whether there was one, and what happened (empty when it turned out moot)."""
    rule = clock_rules.DisputeDeadlineRule()
    with transaction.atomic():
        deadline = _overdue_one(dispute, now)
        if deadline is None:
            return False, ""
        assert deadline.due_at is not None  # pending rows are due
        try:
            with transaction.atomic():
                outcome = rule.act([deadline], now)
        except (ActionRefused, StaleState) as refused:
            logger.info("catch-up: deadline %s retired (%s)", deadline.pk, refused)
            rule.retire(deadline.pk, now)
            return True, ""
        if not outcome.acted:
            return True, ""
        return True, clock_of(deadline.kind).ended(deadline.dispute, deadline.due_at)


def dispute_catch_up(dispute: Dispute, now: datetime) -> list[str]:
    """Carry out every clock of `dispute` already due at `now`, in due order (an act at zero
    may stop a later clock); returns what happened, in words, one sentence per clock."""
    happened: list[str] = []
    for _ in range(len(clock_rules.CLOCKS) + 1):  # each clock fires at most once
        found, words = _fire_next(dispute, now)
        if not found:
            break
        if words:
            happened.append(words)
    return happened


def deadlines_first[**P, R](act: Callable[P, R]) -> Callable[P, R]:
    """`act` on a dispute (called with `dispute=`, maybe `now=`), after the dispute's clocks
    already due; refused as too late if any of them decided."""

    @functools.wraps(act)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        dispute = cast(Dispute, kwargs["dispute"])
        now = cast(datetime | None, kwargs.get("now")) or timezone.now()
        if happened := dispute_catch_up(dispute, now):
            raise TooLate(" ".join(happened))
        return act(*args, **kwargs)

    return run
