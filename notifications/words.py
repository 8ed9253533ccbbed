"""What a note says, rendered when it is read: in the inbox in the viewer's language and zone
(the request's), in the email in its recipient's (delivery renders inside `speaking_to`).

A note is stored as a code and data (core.outbox): an event's code, whose words come from the
event catalogue (a subject after the note's title, "Order PA-…: payout released", and a body),
or a code of `NOTE_WORDS` (bursts and other notes that are no event), whose words also take
the note's count. Rows from before codes, and writers without one, keep the words they were
written with; so does a row whose data no longer renders.
"""

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from core.outbox import NOTE_WORDS, said
from core.timeline import CATALOGUE, EventKind

logger = logging.getLogger(__name__)


class NoteText(NamedTuple):
    subject: str
    body: str


def note_text(code: str, data: Mapping[str, Any], count: int, stored: NoteText) -> NoteText:
    """The note's words in the active language and zone; `stored` when it has no code, or when
    its data does not render (logged)."""
    if not code:
        return stored
    try:
        words = NOTE_WORDS.get(code)
        if words is not None:
            return NoteText(*words(data, count))
        return event_note_text(CATALOGUE[code], data)
    except (LookupError, TypeError, ValueError) as exc:
        logger.warning("note %s does not render from its data: %r", code, exc)
        return NoteText(stored.subject or code, stored.body)


def event_note_text(kind: EventKind, data: Mapping[str, Any]) -> NoteText:
    """An event's note: {"title": what it is about (a stored Phrase), "event": its data}."""
    event = data["event"]
    headline = (kind.headline or kind.describe)(event)
    subject = _("%(title)s: %(headline)s") % {"title": said(data["title"]), "headline": headline}
    return NoteText(subject, kind.note_body(event))
