"""The test clock of a sandbox deployment (settings.PARLEY_SANDBOX): watch a whole case in
minutes, with the same rules, emails and webhooks as production.

"Advance to the next deadline" makes the case's earliest pending clock fall due now
(`deadlines.deadline_due_now`, on the record as `disputes.sandbox.advanced`), then runs the
engine's own dispute-deadline rule on that one case (`catchup.dispute_catch_up`): the same
batch act, dated now, with its notes and webhooks. Nothing else about time changes: other
cases' clocks, the other clocks of this case and the engine are untouched. "Advance to the
end" repeats it until no clock is pending (the case then waits for a person, or is over).

Who may: the case's buyer and seller, Parley staff, and the marketplace through its API
(`by=None`: the API has already found the case among the integration's own).
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import SandboxOnly

from ..clocks import CLOCKS
from ..clocks.catalogue import ADVANCED
from ..deadlines import deadline_due_now
from ..events import record
from ..models import Dispute
from .catchup import dispute_catch_up
from .kernel import lock, party_of


class Reach(StrEnum):
    """How far the test clock moves a case: its next deadline, or every clock until none is
    left (the pages' two buttons, the API's `to`)."""

    NEXT_DEADLINE = "next_deadline"
    END = "end"


MARKETPLACE = "marketplace"  # `by` of an advance through the API, in the event's data
STAFF = "staff"


@dataclass(frozen=True)
class Advance:
    """One step of the test clock: which clock was made due, when it was due before, and what
    happened then, in words (`Clock.ended`; none when the clock turned out moot)."""

    kind: str
    was_due_at: datetime
    happened: list[str] = field(default_factory=list)
    moved: bool = True  # False: it was already due, and acted at its own time


def sandbox_only() -> None:
    if not settings.PARLEY_SANDBOX:
        raise SandboxOnly(
            _("The test clock works only in a sandbox deployment (PARLEY_SANDBOX=1).")
        )


def _who(dispute: Dispute, by: User | None) -> str:
    """Who moves the clock, as the event keeps it; refuses anyone else."""
    if by is None:
        return MARKETPLACE
    if by.is_arbiter:
        return STAFF
    return party_of(dispute, by)


def dispute_advance_clock(
    *, dispute: Dispute, by: User | None, now: datetime | None = None
) -> Advance | None:
    """The case's next pending clock falls due now and acts as the engine would; None when no
    clock is pending (nothing changes)."""
    sandbox_only()
    now = now or timezone.now()
    with transaction.atomic():
        dispute = lock(dispute)
        who = _who(dispute, by)
        found = deadline_due_now(dispute, now)
        if found is None:
            return None
        deadline, was_due = found
        if was_due > now:  # one already due is the engine's to run, at its own time
            # The moment as text, to the microsecond (the JSON encoder keeps milliseconds).
            due_at = was_due.isoformat()
            data = {"deadline": deadline.pk, "kind": deadline.kind, "due_at": due_at, "by": who}
            record(dispute, ADVANCED.code, actor=by, at=now, data=data)
        happened = dispute_catch_up(dispute, now)
    return Advance(deadline.kind, was_due, happened, moved=was_due > now)


def dispute_advance_to_end(
    *, dispute: Dispute, by: User | None, now: datetime | None = None
) -> list[Advance]:
    """Advance again and again until no clock is pending, each step its own transaction (as
    the engine's runs are). Bounded: each kind of clock runs at most a few times per case."""
    sandbox_only()
    steps: list[Advance] = []
    for _step in range(len(CLOCKS) + 3):
        step = dispute_advance_clock(dispute=dispute, by=by, now=now)
        if step is None:
            break
        steps.append(step)
    return steps


def dispute_advance(
    *, dispute: Dispute, by: User | None, to: Reach, now: datetime | None = None
) -> list[Advance]:
    """The test clock as far as `to`; what each step did (none when no clock was pending)."""
    if to == Reach.END:
        return dispute_advance_to_end(dispute=dispute, by=by, now=now)
    step = dispute_advance_clock(dispute=dispute, by=by, now=now)
    return [] if step is None else [step]
