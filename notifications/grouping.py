"""Bursts: many of the same news on one subject told as one note, not one email per line.

The first piece of news in a group (say, the seller's messages on one dispute, to the buyer)
writes a note whose email waits until the group's window is over (`next_attempt_at` = now +
PARLEY_NOTIFICATION_BURST_MINUTES). Until then the note is the group's *open burst*: more news
in the group counts into it (its words, rendered when read from its count, say "3 new
messages …"; it comes back to the top of the inbox, unread) instead of writing another note.
The outbox sweep emails it once the window is over, with the final count; news after that
opens a new burst. So a person gets at most one email per group and window, and the in-app
inbox always shows the latest count.

Writers hold the subject's row lock (a dispute's messages are posted under it), so two pieces
of news in one group never race to open two bursts. The outbox sweep only claims notes whose
window is over, and the burst lookup only takes notes whose window is not: they never meet
on a row, except at the very edge, where the lookup waits for the sweep's lock and, finding
the note emailed, opens a new burst.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from .models import UNDELIVERED, Notification

Words = Callable[[int], tuple[str, str]]  # subject and body, for a count


@dataclass(frozen=True)
class Burst:
    """News for a group. What it says is `code` (registered in core.outbox.NOTE_WORDS) and
    `data`, rendered when read with the burst's count ("3 new messages"); a writer without a
    code gives `words` instead, rendered now and kept as written."""

    recipient_id: int
    group: str  # e.g. "dispute:12:messages:seller": the same group and window make one note
    kind: str  # a core.outbox.NoteKind value
    url: str
    words: Words | None = None
    count: int = 1  # how much news this adds to the burst
    code: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def written(self, count: int) -> tuple[str, str]:
        """The words stored with the note: none when it has a code (they are rendered when
        read, from the count the note has then)."""
        return self.words(count) if self.words is not None and not self.code else ("", "")


def burst_window() -> timedelta:
    return timedelta(minutes=settings.PARLEY_NOTIFICATION_BURST_MINUTES)


def open_burst(recipient_id: int, group: str, now: datetime) -> Notification | None:
    """The group's note whose email still waits for its window to end, locked."""
    return (
        Notification.objects.select_for_update(of=("self",))
        .filter(UNDELIVERED, recipient_id=recipient_id, group_key=group, attempts=0)
        .filter(next_attempt_at__gt=now)
        .order_by("-next_attempt_at")
        .first()
    )


def add_to_bursts(bursts: Sequence[Burst], *, now: datetime) -> None:
    """Count each piece of news into its group's open burst, or open a new one."""
    for burst in bursts:
        note = open_burst(burst.recipient_id, burst.group, now)
        if note is None:
            _open(burst, now)
            continue
        note.count += burst.count
        note.subject, note.body = burst.written(note.count)
        note.created_at, note.read_at = now, None  # back on top of the inbox, unread
        note.save(update_fields=["count", "subject", "body", "created_at", "read_at"])


def _open(burst: Burst, now: datetime) -> None:
    subject, body = burst.written(burst.count)
    Notification.objects.create(
        recipient_id=burst.recipient_id,
        dedupe_key=f"burst:{burst.group}:{burst.recipient_id}:{now.timestamp():.6f}",
        code=burst.code,
        data=dict(burst.data),
        subject=subject,
        body=body,
        url=burst.url,
        kind=burst.kind,
        group_key=burst.group,
        count=burst.count,
        created_at=now,
        next_attempt_at=now + burst_window(),
    )
