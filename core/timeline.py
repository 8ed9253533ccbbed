"""The timeline: every act on the record as a code from one catalogue and structured data.

The sentence a person reads is rendered from code + data when it is shown (never stored as
prose), which is what lets the same event be translated, e-mailed or sent as a webhook. Each
app registers its codes in its own `events.py` (imported by its AppConfig.ready); the
catalogue is the one registry of them all.

An entry's words are functions of the data alone, called each time the words are wanted: they
call gettext then (never at import), so each reader gets their own language, and write moments
and money through core.moments, so each gets their own zone and number format.

Every act records through `Recorder` (many acts, one statement per table) or `record` (one).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, NamedTuple, Self

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext as _

from .bulk import insert_columns
from .outbox import Note, Phrase, write_notes

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

    def note_subject(self, title: str, data: Data) -> str:
        """ "Dispute DS-…: the seller answered": the subject's name, then the headline."""
        return f"{title}: {(self.headline or self.describe)(data)}"

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
    """The sentence for an event, in the active language (rendered now, never stored). Rows
    recorded before events carried structured data keep their original sentence in
    data["text"], used as it is when the data cannot render: old data, in the words it was
    written in."""
    kind = CATALOGUE.get(code)
    if kind is not None:
        try:
            return kind.describe(data)
        except (KeyError, TypeError, ValueError):
            pass
    return str(data.get("text", code))


class Entry(NamedTuple):
    """An event to record, as the values of its row: what the engine's batch acts record by the
    thousand, without building a model instance for each (`TimelineEvent.entry`)."""

    model: type["TimelineEvent"]
    subject_id: int
    code: str
    actor_id: int | None
    from_state: str
    to_state: str
    data: Data
    created_at: datetime


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
    # The foreign key to the order or dispute the event belongs to.
    subject_field: ClassVar[str]

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.code} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The timeline is append-only.")
        super().save(*args, **kwargs)
        for listener in LISTENERS:
            listener([self.as_entry()])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The timeline is append-only.")

    @classmethod
    def subject_column(cls) -> str:
        return f"{cls.subject_field}_id"

    @property
    def subject_id(self) -> int:
        """The id of the order or dispute this event belongs to."""
        return int(getattr(self, self.subject_column()))

    @property
    def text(self) -> str:
        return describe(self.code, self.data)

    @property
    def actor_label(self) -> str:
        return self.actor.display_name if self.actor else _("Parley (automatic)")

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

    @classmethod
    def entry(
        cls,
        code: str,
        *,
        subject_id: int,
        actor_id: int | None,
        from_state: str,
        to_state: str,
        data: Data,
        created_at: datetime,
    ) -> Entry:
        """A new event of a catalogued code as the values of its row (see Recorder)."""
        if code not in CATALOGUE:
            raise LookupError(f"Event code {code} is not in the catalogue.")
        return Entry(cls, subject_id, code, actor_id, from_state, to_state, data, created_at)

    def as_entry(self) -> Entry:
        return Entry(
            type(self),
            self.subject_id,
            self.code,
            self.actor_id,
            self.from_state,
            self.to_state,
            self.data,
            self.created_at,
        )


class _Rows:
    """The events of one model awaiting their INSERT, one list per column; data is JSON text,
    encoded once per event (PostgreSQL casts the text array to jsonb[])."""

    def __init__(self, model: type["TimelineEvent"]) -> None:
        self.model = model
        self.columns: dict[str, list[Any]] = {
            name: [] for name in (model.subject_column(), *_EVENT_COLUMNS)
        }
        self.codes: set[str] = set()

    def append(self, entry: Entry) -> None:
        subject, actor, code, from_state, to_state, data, created_at = self.columns.values()
        subject.append(entry.subject_id)
        actor.append(entry.actor_id)
        code.append(entry.code)
        from_state.append(entry.from_state)
        to_state.append(entry.to_state)
        data.append(_encode(entry.data))
        created_at.append(entry.created_at)
        self.codes.add(entry.code)


_EVENT_COLUMNS = ("actor_id", "code", "from_state", "to_state", "data", "created_at")
# The JSON of TimelineEvent.data as its field would write it (json.dumps with its encoder).
_encode = DjangoJSONEncoder().encode


# Called with every batch of entries a recorder writes, inside the act's transaction: how an app
# above (the integration's webhooks) hears every act without the apps below knowing of it.
RecordListener = Callable[[Sequence[Entry]], None]
LISTENERS: list[RecordListener] = []


def on_recorded(listener: RecordListener) -> None:
    """Register a listener (once, from an AppConfig.ready)."""
    if listener not in LISTENERS:
        LISTENERS.append(listener)


class Recorder:
    """The acts of one transaction, written at the end with one statement per table: timeline
    events, then the notes they send. A person's act is a recorder with one act in it.

    Events are kept as columns, not model instances: the engine records a thousand acts per
    batch, and building then taking apart an instance per event was most of the cost."""

    def __init__(self) -> None:
        self.events: dict[type[TimelineEvent], _Rows] = {}
        self.notes: list[Note] = []
        self.entries: list[Entry] = []  # for the listeners, in the order they were added

    @property
    def codes(self) -> set[str]:
        """The codes of the events not yet written."""
        return {code for rows in self.events.values() for code in rows.codes}

    def add(self, event: "TimelineEvent | Entry", notes: Iterable[Note] = ()) -> None:
        entry = event if isinstance(event, Entry) else event.as_entry()
        rows = self.events.get(entry.model)
        if rows is None:
            rows = self.events[entry.model] = _Rows(entry.model)
        rows.append(entry)
        self.notes.extend(notes)
        if LISTENERS:
            self.entries.append(entry)

    def act(
        self,
        event: "TimelineEvent | Entry",
        *,
        title: Phrase | str,
        audience: Mapping[str, tuple[int, str]],
    ) -> None:
        """Add an event and the notes its catalogue entry sends. `title` names the subject
        (a Phrase, said in each reader's language: "Dispute %(reference)s"); `audience` gives
        each party's recipient id and link. A note keeps the event's code and data, and its
        words are rendered when read (notifications.words), never here."""
        entry = event if isinstance(event, Entry) else event.as_entry()
        kind = CATALOGUE[entry.code]
        data, at = entry.data, entry.created_at
        parties = kind.parties(data)
        notes: list[Note] = []
        if parties:
            named = title.stored() if isinstance(title, Phrase) else title
            told = {"title": named, "event": data}
            model_name = entry.model._meta.model_name
            key = f"{model_name}:{entry.subject_id}:{entry.code}:{at.timestamp():.0f}"
            for party in parties:
                recipient, url = audience[party]
                note = Note(recipient, f"{key}:{party}", url=url, at=at, code=entry.code, data=told)
                notes.append(note)
        self.add(entry, notes)

    def write(self) -> None:
        for rows in self.events.values():
            insert_columns(rows.model, rows.columns)
        write_notes(self.notes)
        for listener in LISTENERS:
            listener(self.entries)
        self.events.clear()
        self.notes = []
        self.entries = []


def record(event: TimelineEvent, notes: Sequence[Note] = ()) -> None:
    recorder = Recorder()
    recorder.add(event, notes)
    recorder.write()
