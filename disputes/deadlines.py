"""The deadline rows of disputes, and the only code that writes them: started and stopped with
the state, fired or cancelled by the engine's rules, reminders moved on, staff extending,
pausing or resuming one with a reason both parties see, and a sandbox's test clock making the
next one fall due now. Which clocks run when: .clocks.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from accounts.models import User
from core.bulk import update_rows
from core.errors import ActionRefused, StaleState

from .clocks import clock_of, wanted_deadlines
from .clocks.catalogue import EXTENDED, PAUSED, RESUMED
from .events import record
from .models import RUNNING_STATUSES, Deadline, DeadlineStatus, Dispute


def _pending() -> QuerySet[Deadline]:
    return Deadline.objects.filter(status=DeadlineStatus.PENDING)


def sync_deadlines(dispute: Dispute, now: datetime) -> None:
    sync_deadlines_many([(dispute, now)])


def sync_deadlines_many(changed: Sequence[tuple[Dispute, datetime]]) -> None:
    """Make the running clocks match each dispute's state (as of the time given with it): stop
    those that no longer apply, start new ones. One read and at most two writes in all.

    A clock whose base due time is unchanged keeps its staff extension or pause.
    """
    running: defaultdict[int, list[Deadline]] = defaultdict(list)
    for deadline in Deadline.objects.filter(
        dispute_id__any=[dispute.pk for dispute, _at in changed], status__in=RUNNING_STATUSES
    ):
        running[deadline.dispute_id].append(deadline)
    stopped: list[Deadline] = []
    started: list[Deadline] = []
    for dispute, now in changed:
        wanted = wanted_deadlines(dispute)
        for deadline in running[dispute.pk]:
            if wanted.get(deadline.kind) == deadline.base_due_at:
                wanted.pop(deadline.kind)
                continue
            deadline.status = DeadlineStatus.CANCELLED
            deadline.closed_at = now
            stopped.append(deadline)
        started.extend(
            Deadline(
                dispute=dispute,
                kind=kind,
                base_due_at=due,
                due_at=due,
                next_reminder_at=clock_of(kind).next_reminder(due, now),
                created_at=now,
            )
            for kind, due in wanted.items()
        )
    update_rows(stopped, ["status", "closed_at"])
    Deadline.objects.bulk_create(started)


# --- The engine's rules: clocks at zero, and reminders ------------------------------------------


def deadlines_fire(deadlines: Sequence[Deadline], now: datetime) -> None:
    """Mark claimed deadlines as fired (their acts follow in the same transaction)."""
    fired = _pending().filter(pk__any=[d.pk for d in deadlines])
    if fired.update(status=DeadlineStatus.FIRED, closed_at=now) != len(deadlines):
        raise StaleState("A clock changed while it was being claimed.")


def deadlines_cancel(pks: Iterable[int], now: datetime) -> None:
    """Stop pending deadlines that no longer apply (their dispute's state does not give
    them), or whose act was refused: they do not come back."""
    _pending().filter(pk__any=list(pks)).update(status=DeadlineStatus.CANCELLED, closed_at=now)


def reminders_moved_on(deadlines: Sequence[Deadline]) -> None:
    """Save each deadline's next reminder time (set by the caller), in one statement."""
    update_rows(deadlines, ["next_reminder_at"])


def deadline_due_now(dispute: Dispute, now: datetime) -> tuple[Deadline, datetime] | None:
    """A sandbox's test clock (services.sandbox): the dispute's earliest pending deadline made
    to fall due at `now`, its reminders dropped (none may go out after the jump); returns it
    with the time it was due, or None when no clock is pending. One already due is left as it
    is: the engine dates its act then. The caller holds the dispute's lock.

    Only `due_at` moves: `base_due_at` still matches the state, so the engine's rule sees a
    live clock (as after a staff extension) and acts on it, not a moot one."""
    pending = _pending().filter(dispute=dispute).select_for_update()
    deadline = pending.order_by("due_at", "id").first()
    if deadline is None:
        return None
    assert deadline.due_at is not None  # a pending deadline has its due time
    was_due = deadline.due_at
    if was_due > now:
        deadline.due_at, deadline.next_reminder_at = now, None
        deadline.save(update_fields=["due_at", "next_reminder_at"])
    return deadline, was_due


# --- Staff: extend or pause a clock, with a reason both parties see ---------------------------


def _locked_deadline(deadline: Deadline, actor: User) -> Deadline:
    if not actor.is_arbiter:
        raise ActionRefused(_("Only Parley staff can change a deadline."))
    Dispute.objects.select_for_update(of=("self",)).get(pk=deadline.dispute_id)
    deadline = Deadline.objects.select_related("dispute__order__store").get(pk=deadline.pk)
    if deadline.status not in RUNNING_STATUSES:
        raise StaleState(_("This deadline has already passed or no longer applies."))
    return deadline


def _changed(
    deadline: Deadline, code: str, *, actor: User, reason: str, now: datetime, **data: Any
) -> Deadline:
    """Save the staff change and put it on the record (both parties are told)."""
    deadline.save(update_fields=["due_at", "remaining", "next_reminder_at", "status"])
    due_at, remaining = deadline.due_at, deadline.remaining
    record(
        deadline.dispute,
        code,
        actor=actor,
        at=now,
        data={
            "deadline": deadline.pk,
            "kind": deadline.kind,
            "reason": reason,
            # As text here, to the microsecond (the JSON encoder keeps milliseconds).
            "due_at": due_at.isoformat() if due_at is not None else None,
            "remaining": duration_iso_string(remaining) if remaining is not None else None,
            **data,
        },
    )
    return deadline


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, actor: User, hours: int, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    if hours <= 0 or not reason.strip():
        raise ActionRefused(_("Give a number of hours and a reason."))
    deadline = _locked_deadline(deadline, actor)
    if deadline.status == DeadlineStatus.PAUSED:
        assert deadline.remaining is not None  # a paused deadline keeps its time left
        deadline.remaining += timedelta(hours=hours)
    else:
        assert deadline.due_at is not None  # a pending deadline has its due time
        deadline.due_at += timedelta(hours=hours)
        deadline.next_reminder_at = clock_of(deadline.kind).next_reminder(deadline.due_at, now)
    return _changed(deadline, EXTENDED.code, actor=actor, reason=reason, now=now, hours=hours)


@transaction.atomic
def deadline_pause(
    *, deadline: Deadline, actor: User, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    if not reason.strip():
        raise ActionRefused(_("Give a reason for pausing the deadline."))
    deadline = _locked_deadline(deadline, actor)
    if deadline.status == DeadlineStatus.PAUSED:
        raise StaleState(_("This deadline is already paused."))
    assert deadline.due_at is not None  # running, so it has its due time
    deadline.remaining = max(deadline.due_at - now, timedelta(0))
    deadline.due_at = None
    deadline.next_reminder_at = None
    deadline.status = DeadlineStatus.PAUSED
    return _changed(deadline, PAUSED.code, actor=actor, reason=reason, now=now)


@transaction.atomic
def deadline_resume(
    *, deadline: Deadline, actor: User, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    deadline = _locked_deadline(deadline, actor)
    if deadline.status != DeadlineStatus.PAUSED:
        raise StaleState(_("This deadline is not paused."))
    assert deadline.remaining is not None  # a paused deadline keeps its time left
    deadline.due_at = now + deadline.remaining
    deadline.remaining = None
    deadline.status = DeadlineStatus.PENDING
    deadline.next_reminder_at = clock_of(deadline.kind).next_reminder(deadline.due_at, now)
    # No reason given is kept as none (the timeline words it when shown, not here).
    return _changed(deadline, RESUMED.code, actor=actor, reason=reason, now=now)
