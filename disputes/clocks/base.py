"""What a kind of clock is, and the registry of them all.

A clock is a deadline that runs while a dispute is in some state. Each kind says, in one
place: when it runs out (from the dispute's state and the policy pinned on the dispute), whom
it reminds, what happens at zero (a batch act of `disputes.services`, by name) and how it reads
to each party on the dispute's page. `DeadlineKind` (models) names the kinds for the database
column; the clocks registered here are what syncing, the engine's rules and the pages read.

Its words are rendered when asked for, in the language active then (gettext is called inside
the methods, never at import), with moments and money through core.moments.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.moments import duration, moment
from core.outbox import Note, NoteKind, note_words

from ..events import audience
from ..models import Deadline, DeadlineKind, Dispute


class Clock:
    """One kind of clock. Subclasses set the class attributes and `due`; the rest has defaults."""

    kind: ClassVar[str]  # a DeadlineKind value
    reminds: ClassVar[str | None] = None  # the party who must act before zero (a Party value)
    at_zero: ClassVar[str]  # the batch act at zero: its name in disputes.services

    @property
    def label(self) -> str:
        return str(DeadlineKind(self.kind).label)

    def due(self, dispute: Dispute) -> datetime | None:
        """When it runs out as the policy gives it, or None if it does not run in this state."""
        raise NotImplementedError

    def act_options(self) -> Mapping[str, object]:
        """What the act at zero takes besides the dues and when the engine ran."""
        return {}

    def reads(self, dispute: Dispute, due_at: datetime, viewer: str) -> str:
        """What happens at zero, in words for the viewer (a Party value)."""
        return _("Due %(when)s.") % {"when": moment(due_at)}

    def reads_many(self, dues: Sequence[tuple[Dispute, datetime]], viewer: str) -> list[str]:
        """`reads` of many disputes at once. A clock whose words read more than the dispute
        row loads it here for all of them (a few queries however many), and its `reads` is
        this with a list of one."""
        return [self.reads(dispute, due_at, viewer) for dispute, due_at in dues]

    def ended(self, dispute: Dispute, due_at: datetime) -> str:
        """What happened when it ran out, for an act that came too late (read after the act at
        zero, so `dispute` is in its new state)."""
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
        return _("%(clock)s ran out on %(when)s.") % {"clock": self.label, "when": moment(due_at)}

    # --- Reminders ----------------------------------------------------------------------------

    def next_reminder(self, due_at: datetime | None, after: datetime) -> datetime | None:
        """The next reminder still ahead of `after` (PARLEY_REMINDER_HOURS before zero), for
        clocks someone must beat; None when there is none left, or nobody to remind."""
        if self.reminds is None or due_at is None:
            return None
        moments = sorted(due_at - timedelta(hours=h) for h in settings.PARLEY_REMINDER_HOURS)
        return next((m for m in moments if m > after), None)

    def reminder(self, deadline: Deadline, remind_at: datetime, now: datetime) -> Note:
        """The reminder due at `remind_at`, to the party who must act (sent at `now`). Its
        key names the deadline, its due time and the offset: once per reminder, and an
        extended deadline gets fresh ones. It is stored as data; its words are said when read
        (`reminder_words`)."""
        assert self.reminds is not None and deadline.due_at is not None
        due_at, dispute = deadline.due_at, deadline.dispute
        offset = round((due_at - remind_at).total_seconds() / 3600)
        recipient, url = audience(dispute)[self.reminds]
        key = f"deadline:{deadline.pk}:{due_at.timestamp():.0f}:remind:{offset}h:{self.reminds}"
        data = {
            "kind": self.kind,
            "reference": dispute.reference,
            "due_at": due_at.isoformat(),
            "whom": self.reminds,
        }
        return Note(
            recipient, key, url=url, at=remind_at, kind=NoteKind.REMINDERS, code=REMINDER, data=data
        )

    def reminder_words(self, reference: str, due_at: datetime, now: datetime) -> tuple[str, str]:
        """The reminder's subject and body in the active language, as read at `now`."""
        subject = _("Reminder: dispute %(reference)s needs you") % {"reference": reference}
        said = {"clock": self.label, "when": moment(due_at)}
        if due_at <= now:
            # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
            body = _("%(clock)s was due %(when)s. Open the dispute to see what happened.") % said
            return subject, body
        body = _(
            # Translators: %(clock)s names a deadline, e.g. "Seller's answer"; %(left)s is a
            # length of time, e.g. "3 days, 4 hours".
            "%(clock)s is due %(when)s (in %(left)s). Open the dispute to see what happens then."
        ) % (said | {"left": duration(due_at - now)})
        return subject, body


CLOCKS: dict[str, Clock] = {}  # by kind, in the order the engine acts on a batch's kinds


def registered[C: type[Clock]](cls: C) -> C:
    """Class decorator: the one instance of a kind of clock, in the registry."""
    if cls.kind in CLOCKS:
        raise ValueError(f"The clock {cls.kind} is defined twice.")
    CLOCKS[cls.kind] = cls()
    return cls


Explanation = Callable[[Dispute], str]


def _reminder_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """A reminder as read now: {"kind", "reference", "due_at" (ISO), "whom"} (the time left
    is counted when it is read)."""
    due_at = datetime.fromisoformat(data["due_at"])
    return CLOCKS[data["kind"]].reminder_words(data["reference"], due_at, timezone.now())


REMINDER = note_words("disputes.note.reminder", _reminder_words)
