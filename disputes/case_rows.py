"""What a case page shows of each message and timeline event, worked out once per row.

A case page lists up to 30 messages and 30 events (`PARLEY_CASE_PAGE`). Each value a template
looks up costs Django's template engine some thirty calls, a filter more, an include more
again: asked of the models in the loop (`message.created_at|moment`, `event.state_change`
twice, an empty gallery included per message, `message.photos.all` per message), the two
lists were most of what rendering the page cost. Here each row's words are written once (the
moment in the reader's language and zone, the sentence, who acted and the change of state),
and a message's photos come from the case's evidence the page has loaded anyway (every photo
of a case is evidence of it, at most 30), not from a query of their own.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from core.moments import moment

from .models import Dispute, DisputeEvent, EvidenceItem, Message
from .selectors import thread, timeline


@dataclass(frozen=True, slots=True)
class MessageRow:
    message: Message
    author: str  # the author's name
    at: str  # the moment, ISO 8601 (a <time>'s datetime)
    when: str  # the moment, as the reader reads it
    mine: bool  # written by the reader
    photos: Sequence[EvidenceItem]


@dataclass(frozen=True, slots=True)
class EventRow:
    event: DisputeEvent
    at: str
    when: str
    text: str  # the sentence (core.timeline.describe)
    who: str  # who acted, or Parley
    change: str  # "Waiting for the seller → With an arbiter", or ""
    automatic: bool  # no person acted: the clock did


def message_rows(
    messages: Iterable[Message], evidence: Iterable[EvidenceItem], reader_id: int
) -> list[MessageRow]:
    """`messages` loaded with their authors; `evidence`: every photo of the case, oldest first
    (a message's photos are shown in that order)."""
    photos: defaultdict[int, list[EvidenceItem]] = defaultdict(list)
    for item in evidence:
        if item.message_id is not None:
            photos[item.message_id].append(item)
    return [
        MessageRow(
            message,
            message.author.display_name,
            message.created_at.isoformat(),
            moment(message.created_at),
            message.author_id == reader_id,
            photos.get(message.pk, ()),
        )
        for message in messages
    ]


def event_rows(events: Iterable[DisputeEvent]) -> list[EventRow]:
    """`events` loaded with their actors."""
    return [
        EventRow(
            event,
            event.created_at.isoformat(),
            moment(event.created_at),
            event.text,
            event.actor_label,
            event.state_change,
            event.actor_id is None,
        )
        for event in events
    ]


def case_lists(
    dispute: Dispute, query: QueryDict, evidence: Sequence[EvidenceItem], reader_id: int
) -> dict[str, Any]:
    """A case page's two lists: `thread` and `events` (core.paging.Latest, for the links to
    earlier ones), and the rows shown of them, `message_rows` and `event_rows`."""
    messages, events = thread(dispute, query), timeline(dispute, query)
    return {
        "thread": messages,
        "events": events,
        "message_rows": message_rows(messages.items, evidence, reader_id),
        "event_rows": event_rows(events.items),
    }
