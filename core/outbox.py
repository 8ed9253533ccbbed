"""What an act tells people: notes written in the act's own transaction (an outbox).

Core knows the shape of a note; the notifications app stores and delivers them. The writer is
named in settings (PARLEY_OUTBOX), as Django names its mail backend, so core imports no app.

A note is stored as a code and its data, never as sentences: its words are rendered when it
is read (the inbox, in the viewer's language and zone; the email, in its recipient's), from the
event catalogue (core.timeline) when the code is an event's, else from `NOTE_WORDS`.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NoteKind(models.TextChoices):
    """What a note is about: each person chooses email on or off per kind (the app's inbox
    always shows every note)."""

    UPDATES = "updates", _("What happens on your disputes and orders")
    MESSAGES = "messages", _("New messages from the other party")
    REMINDERS = "reminders", _("Reminders before a deadline runs out")
    CASEWORK = "casework", _("Cases you hold as an arbiter: new evidence, answers, appeals")


@dataclass(frozen=True)
class Note:
    recipient_id: int
    dedupe_key: str  # the same act told twice is written once
    subject: str = ""  # words as written, only for a writer without a code (kept as they are)
    body: str = ""
    url: str = ""
    at: datetime | None = None  # when the act it tells of happened, if not `now`
    kind: str = NoteKind.UPDATES
    code: str = ""  # what it says: an event's code, or one of NOTE_WORDS
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON: what the words are made of


# The words of notes that are not an event's (a burst of messages, a reminder), by code:
# (data, count) -> (subject, body) in the active language and zone. A burst's count is how
# much news it holds ("3 new messages"); other notes have 1.
NoteWords = Callable[[Mapping[str, Any], int], tuple[str, str]]
NOTE_WORDS: dict[str, NoteWords] = {}


def note_words(code: str, words: NoteWords) -> str:
    """Register the words of a note code (once, from the app that writes such notes)."""
    if code in NOTE_WORDS:
        raise ValueError(f"Note code {code} is registered twice.")
    NOTE_WORDS[code] = words
    return code


@dataclass(frozen=True)
class Phrase:
    """Words said when read, in the reader's language: a msgid marked where it is written
    (`gettext_noop("Order %(reference)s")`) and its values, stored as such."""

    msgid: str
    values: Mapping[str, str | int] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "values": dict(self.values)}


def said(stored: object) -> str:
    """A stored Phrase in the active language; text stored as written comes back as it is."""
    if isinstance(stored, Mapping):
        # The msgid was marked with gettext_noop where the phrase was made.
        return gettext(stored["msgid"]) % stored["values"]
    return str(stored)


@cache
def _writer() -> Callable[..., None]:
    return import_string(settings.PARLEY_OUTBOX)


def write_notes(notes: Sequence[Note], *, now: datetime | None = None) -> None:
    if notes:
        _writer()(list(notes), now=now)
