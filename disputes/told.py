"""News that is not one note per event: the other party hears of messages in bursts (one
note per person, dispute and window: notifications.grouping), and the arbiter who holds a
case hears of new evidence, of the answer to their request, and of an appeal of their ruling.

Called by the acts, under the dispute's lock; every note is written in the act's transaction.
A note is stored as its code and data (the dispute's reference, the party); its words are
registered here by code (core.outbox.note_words) and rendered when read, in the reader's
language, a sentence per party, a burst's with its count then.
"""

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.outbox import Note, NoteKind, note_words, write_notes
from notifications.grouping import Burst, add_to_bursts

from .events import audience, people
from .models import ARBITRATION_STATES, Dispute, DisputeEvent, Party

OTHER = {Party.BUYER: Party.SELLER, Party.SELLER: Party.BUYER}


@cache
def _case_url_template() -> str:
    return reverse("arbitration:case", kwargs={"dispute_ref": "REFERENCE"})


def case_url(dispute: Dispute) -> str:
    return _case_url_template().replace("REFERENCE", dispute.reference)


def _messages_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """A burst of one party's messages, told to the other: {"party", "reference"}."""
    said = {"count": count, "reference": data["reference"]}
    subject, body = _MESSAGES[Party(data["party"])](count)
    return subject % said, body % said


def _buyer_messages(count: int) -> tuple[str, str]:
    """The buyer's messages, told to the seller (subject and body, with placeholders)."""
    subject = (
        _("New message from the buyer on %(reference)s")
        if count == 1
        else ngettext(
            "%(count)s new message from the buyer on %(reference)s",
            "%(count)s new messages from the buyer on %(reference)s",
            count,
        )
    )
    body = ngettext(
        "The buyer wrote %(count)s message on dispute %(reference)s. Open the dispute to read "
        "and answer.",
        "The buyer wrote %(count)s messages on dispute %(reference)s. Open the dispute to read "
        "and answer.",
        count,
    )
    return subject, body


def _seller_messages(count: int) -> tuple[str, str]:
    """The seller's messages, told to the buyer (subject and body, with placeholders)."""
    subject = (
        _("New message from the seller on %(reference)s")
        if count == 1
        else ngettext(
            "%(count)s new message from the seller on %(reference)s",
            "%(count)s new messages from the seller on %(reference)s",
            count,
        )
    )
    body = ngettext(
        "The seller wrote %(count)s message on dispute %(reference)s. Open the dispute to read "
        "and answer.",
        "The seller wrote %(count)s messages on dispute %(reference)s. Open the dispute to read "
        "and answer.",
        count,
    )
    return subject, body


_MESSAGES = {Party.BUYER: _buyer_messages, Party.SELLER: _seller_messages}


def _evidence_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """A burst of the parties' messages, told to the arbiter holding the case: {"reference"}."""
    said = {"count": count, "reference": data["reference"]}
    body = ngettext(
        "The parties added %(count)s message to case %(reference)s (with any photos). Open "
        "the case to read them before you decide.",
        "The parties added %(count)s messages to case %(reference)s (with any photos). Open "
        "the case to read them before you decide.",
        count,
    )
    return _("New evidence on %(reference)s, a case you hold") % said, body % said


def _answered_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """A party answered the arbiter's request for evidence: {"party", "reference"}."""
    if data["party"] == Party.BUYER:
        subject = _("The buyer answered your request for evidence on %(reference)s")
    else:
        subject = _("The seller answered your request for evidence on %(reference)s")
    body = _("Their answer is in the case's messages; the case is yours to decide.")
    return subject % {"reference": data["reference"]}, body


def _appealed_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """A party appealed the arbiter's ruling: {"party", "reference"}."""
    if data["party"] == Party.BUYER:
        subject = _("The buyer appealed your ruling on %(reference)s")
    else:
        subject = _("The seller appealed your ruling on %(reference)s")
    body = _("Another arbiter will decide the appeal; you can follow the case on its page.")
    return subject % {"reference": data["reference"]}, body


MESSAGES = note_words("disputes.note.messages", _messages_words)
EVIDENCE = note_words("disputes.note.evidence", _evidence_words)
ANSWERED = note_words("disputes.note.evidence_answered", _answered_words)
APPEALED = note_words("disputes.note.appealed", _appealed_words)


def message_told(dispute: Dispute, *, party: str, answered: bool, now: datetime) -> None:
    """A party's message: the other party hears of it in a burst; the arbiter holding the case
    hears of the answer to their request at once, or of other new evidence in a burst."""
    recipient, url = audience(dispute)[OTHER[Party(party)]]
    group = f"dispute:{dispute.pk}:messages:{party}"
    data = {"party": Party(party).value, "reference": dispute.reference}
    bursts = [Burst(recipient, group, NoteKind.MESSAGES, url, code=MESSAGES, data=data)]
    arbiter = dispute.assignee_id if dispute.state in ARBITRATION_STATES else None
    if arbiter is not None and answered:
        key = f"dispute:{dispute.pk}:evidence_answered:{now.timestamp():.6f}:{arbiter}"
        write_notes([_casework_note(arbiter, key, dispute, now, ANSWERED, data)])
    elif arbiter is not None:
        group, about = f"dispute:{dispute.pk}:evidence", {"reference": dispute.reference}
        bursts.append(
            Burst(arbiter, group, NoteKind.CASEWORK, case_url(dispute), code=EVIDENCE, data=about)
        )
    add_to_bursts(bursts, now=now)


def appeal_told(dispute: Dispute, *, party: str, now: datetime) -> None:
    """The arbiter who made the ruling hears that it was appealed (another arbiter decides)."""
    ruling = (
        DisputeEvent.objects.filter(dispute=dispute, code=people.RULED.code)
        .order_by("-created_at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )
    if ruling is None:
        return
    key = f"dispute:{dispute.pk}:appealed:{now.timestamp():.0f}:{ruling}"
    data = {"party": Party(party).value, "reference": dispute.reference}
    write_notes([_casework_note(ruling, key, dispute, now, APPEALED, data)])


def _casework_note(
    arbiter: int, key: str, dispute: Dispute, now: datetime, code: str, data: dict[str, str]
) -> Note:
    url = case_url(dispute)
    return Note(arbiter, key, url=url, at=now, kind=NoteKind.CASEWORK, code=code, data=data)
