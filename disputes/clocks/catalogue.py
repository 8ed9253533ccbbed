"""Staff changes to a running clock, and the engine's reminders, in the event catalogue: what
each says on the timeline and in the note both parties get. Registered from
DisputesConfig.ready.

Data: {"deadline": id, "kind": DeadlineKind value, "reason": staff's words, "due_at": the new
due time (None while paused), "remaining": time left while paused (ISO 8601 duration, or
None), and "hours" for an extension}. Moments are rendered when shown, never stored as text.
Rows from before this catalogue keep their sentence in data["text"]: lacking "hours" or
"due_at", an extension or a resumption falls back to it (a pause reads the same either way).

A reminder ({"deadline": id, "kind", "due_at", "party": who must act}) tells nobody through
the catalogue: the clock's own reminder note (its words, its key) goes with the event.
"""

from core.moments import moment, parsed
from core.timeline import Data, event_kind

from ..models import DeadlineKind, Party

_BOTH = (Party.BUYER.value, Party.SELLER.value)


def _label(data: Data) -> str:
    return DeadlineKind(data["kind"]).label


def _extended(data: Data) -> str:
    due_at = data["due_at"]
    when = f"now due {moment(parsed(due_at))}" if due_at else "when it resumes"
    return f"{_label(data)} extended by {data['hours']} hours ({when}). Reason: {data['reason']}"


def _paused(data: Data) -> str:
    return f"{_label(data)} paused. Reason: {data['reason']}"


def _resumed(data: Data) -> str:
    due = moment(parsed(data["due_at"]))
    return f"{_label(data)} running again, due {due}. Reason: {data['reason']}"


def _changed(data: Data) -> str:
    return "a deadline changed"


EXTENDED = event_kind(
    "disputes.deadline.extended", _extended, tell=lambda d: _BOTH, headline=_changed
)
PAUSED = event_kind("disputes.deadline.paused", _paused, tell=lambda d: _BOTH, headline=_changed)
RESUMED = event_kind("disputes.deadline.resumed", _resumed, tell=lambda d: _BOTH, headline=_changed)


def _reminded(data: Data) -> str:
    party = Party(data["party"]).label.lower()
    return f"The {party} was reminded: {_label(data)} is due {moment(parsed(data['due_at']))}."


REMINDED = event_kind("disputes.deadline.reminded", _reminded)
