"""What an act tells people: notes written in the act's own transaction (an outbox).

Core knows the shape of a note; the notifications app stores and delivers them. The writer is
named in settings (PARLEY_OUTBOX), as Django names its mail backend, so core imports no app.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import models
from django.utils.module_loading import import_string


class NoteKind(models.TextChoices):
    """What a note is about: each person chooses email on or off per kind (the app's inbox
    always shows every note)."""

    UPDATES = "updates", "What happens on your disputes and orders"
    MESSAGES = "messages", "New messages from the other party"
    REMINDERS = "reminders", "Reminders before a deadline runs out"
    CASEWORK = "casework", "Cases you hold as an arbiter: new evidence, answers, appeals"


@dataclass(frozen=True)
class Note:
    recipient_id: int
    dedupe_key: str  # the same act told twice is written once
    subject: str
    body: str
    url: str = ""
    at: datetime | None = None  # when the act it tells of happened, if not `now`
    kind: str = NoteKind.UPDATES


@cache
def _writer() -> Callable[..., None]:
    return import_string(settings.PARLEY_OUTBOX)


def write_notes(notes: Sequence[Note], *, now: datetime | None = None) -> None:
    if notes:
        _writer()(list(notes), now=now)
