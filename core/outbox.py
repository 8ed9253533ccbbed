"""What an act tells people: notes written in the act's own transaction (an outbox).

Core knows the shape of a note; the notifications app stores and delivers them. The writer is
named in settings (PARLEY_OUTBOX), as Django names its mail backend, so core imports no app.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Note:
    recipient_id: int
    dedupe_key: str  # the same act told twice is written once
    subject: str
    body: str
    url: str = ""
    at: datetime | None = None  # when the act it tells of happened, if not `now`


@cache
def _writer() -> Callable[..., None]:
    return import_string(settings.PARLEY_OUTBOX)


def write_notes(notes: Sequence[Note], *, now: datetime | None = None) -> None:
    if notes:
        _writer()(list(notes), now=now)
