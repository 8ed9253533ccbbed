"""The timeline: every act on the record as a code from one catalogue and structured data.

The sentence a person reads is rendered from code + data when it is shown (never stored as
prose), which is what lets the same event be translated, e-mailed or sent as a webhook. Each
app registers its codes in its own `events.py` (imported by its AppConfig.ready); the
catalogue is the one registry of them all.

Every act records through `Recorder` (many acts, one statement per table) or `record` (one).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from .bulk import insert_rows
from .outbox import Note, write_notes

Data = Mapping[str, Any]


@dataclass(frozen=True)
class EventKind:
    """One entry of the catalogue: what the code means, in words, and whom it is told to."""

    code: str
    describe: Callable[[Data], str]  # the timeline sentence
    tell: Callable[[Data], Iterable[str]] = lambda data: ()  # parties told (app's own words)
    headline: Callable[[Data], str] | None = None  # a note's subject, after the subject's name
    told: Callable[[Data], str] | None = None  # a note's body (default: the sentence)

    def parties(self, data: Data) -> list[str]:
        return list(self.tell(data))

    def note_body(self, data: Data) -> str:
        return (self.told or self.describe)(data)


CATALOGUE: dict[str, EventKind] = {}


def event_kind(code: str, describe: Callable[[Data], str], **options: Any) -> EventKind:
    """Register a code (once) and return its entry."""
    if code in CATALOGUE:
        raise ValueError(f"Event code {code} is registered twice.")
    kind = CATALOGUE[code] = EventKind(code, describe, **options)
    return kind


def describe(code: str, data: Data) -> str:
    """The sentence for an event. Rows recorded before events carried structured data keep
    their original sentence in data["text"], used when the data cannot render."""
    kind = CATALOGUE.get(code)
    if kind is not None:
        try:
            return kind.describe(data)
        except (KeyError, TypeError, ValueError):
            pass
    return str(data.get("text", code))


class AppendOnlyQuerySet(models.QuerySet):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The timeline is append-only.")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The timeline is append-only.")


class TimelineEvent(models.Model):
    """One act on a subject (an order, a dispute): who, when, which code, from which state to
    which, and its data. Append-only: never changed, never deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(max_length=64)
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    # The subject's state labels, for "Waiting for the seller → With an arbiter".
    state_labels: ClassVar[Mapping[str, str]] = {}

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.code} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The timeline is append-only.")

    @property
    def subject_id(self) -> int:
        """The id of the order or dispute this event belongs to."""
        raise NotImplementedError

    @property
    def text(self) -> str:
        return describe(self.code, self.data)

    @property
    def actor_label(self) -> str:
        return self.actor.display_name if self.actor else "Parley (automatic)"

    @property
    def state_change(self) -> str:
        """ "Waiting for the seller → With an arbiter", or "" when the state did not change."""
        if not self.from_state or self.from_state == self.to_state:
            return ""
        labels = self.state_labels
        return f"{labels.get(self.from_state, self.from_state)} → {labels.get(self.to_state)}"

    @classmethod
    def of(cls, code: str, **fields: Any) -> Self:
        """A new, unsaved event of a catalogued code (refuses codes not in the catalogue)."""
        if code not in CATALOGUE:
            raise LookupError(f"Event code {code} is not in the catalogue.")
        return cls(code=code, **fields)


class Recorder:
    """The acts of one transaction, written at the end with one statement per table: timeline
    events, then the notes they send. A person's act is a recorder with one act in it."""

    def __init__(self) -> None:
        self.events: dict[type[TimelineEvent], list[TimelineEvent]] = defaultdict(list)
        self.notes: list[Note] = []

    def add(self, event: TimelineEvent, notes: Iterable[Note] = ()) -> None:
        self.events[type(event)].append(event)
        self.notes.extend(notes)

    def act(
        self, event: TimelineEvent, *, title: str, audience: Mapping[str, tuple[int, str]]
    ) -> None:
        """Add an event and the notes its catalogue entry sends. `title` names the subject
        ("Dispute DS-…"); `audience` gives each party's recipient id and link."""
        kind = CATALOGUE[event.code]
        data, at = event.data, event.created_at
        headline = (kind.headline or kind.describe)(data)
        key = f"{event._meta.model_name}:{event.subject_id}:{event.code}:{at.timestamp():.0f}"
        notes = [
            Note(recipient, f"{key}:{party}", f"{title}: {headline}", kind.note_body(data), url, at)
            for party in kind.parties(data)
            for recipient, url in [audience[party]]
        ]
        self.add(event, notes)

    def write(self) -> None:
        for events in self.events.values():
            insert_rows(events)
        write_notes(self.notes)
        self.events.clear()
        self.notes = []


def record(event: TimelineEvent, notes: Sequence[Note] = ()) -> None:
    recorder = Recorder()
    recorder.add(event, notes)
    recorder.write()
