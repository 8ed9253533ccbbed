"""News that is not one note per event: the other party hears of messages in bursts (one
note per person, dispute and window: notifications.grouping), and the arbiter who holds a
case hears of new evidence, of the answer to their request, and of an appeal of their ruling.

Called by the acts, under the dispute's lock; every note is written in the act's transaction.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cache

from django.urls import reverse

from core.outbox import Note, NoteKind, write_notes
from notifications.grouping import Burst, add_to_bursts

from .events import audience, people
from .models import ARBITRATION_STATES, Dispute, DisputeEvent, Party

OTHER = {Party.BUYER: Party.SELLER, Party.SELLER: Party.BUYER}


@cache
def _case_url_template() -> str:
    return reverse("arbitration:case", kwargs={"dispute_ref": "REFERENCE"})


def case_url(dispute: Dispute) -> str:
    return _case_url_template().replace("REFERENCE", dispute.reference)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _messages_words(party: str, reference: str) -> Callable[[int], tuple[str, str]]:
    def words(count: int) -> tuple[str, str]:
        new = "New message" if count == 1 else f"{count} new messages"
        return (
            f"{new} from the {party} on {reference}",
            f"The {party} wrote {_plural(count, 'message')} on dispute {reference}. "
            "Open the dispute to read and answer.",
        )

    return words


def _evidence_words(reference: str) -> Callable[[int], tuple[str, str]]:
    def words(count: int) -> tuple[str, str]:
        return (
            f"New evidence on {reference}, a case you hold",
            f"The parties added {_plural(count, 'message')} to case {reference} "
            "(with any photos). Open the case to read them before you decide.",
        )

    return words


def message_told(dispute: Dispute, *, party: str, answered: bool, now: datetime) -> None:
    """A party's message: the other party hears of it in a burst; the arbiter holding the case
    hears of the answer to their request at once, or of other new evidence in a burst."""
    recipient, url = audience(dispute)[OTHER[Party(party)]]
    group = f"dispute:{dispute.pk}:messages:{party}"
    bursts = [
        Burst(recipient, group, NoteKind.MESSAGES, url, _messages_words(party, dispute.reference))
    ]
    arbiter = dispute.assignee_id if dispute.state in ARBITRATION_STATES else None
    if arbiter is not None and answered:
        subject = f"The {party} answered your request for evidence on {dispute.reference}"
        body = "Their answer is in the case's messages; the case is yours to decide."
        key = f"dispute:{dispute.pk}:evidence_answered:{now.timestamp():.6f}:{arbiter}"
        write_notes([Note(arbiter, key, subject, body, case_url(dispute), now, NoteKind.CASEWORK)])
    elif arbiter is not None:
        words = _evidence_words(dispute.reference)
        group = f"dispute:{dispute.pk}:evidence"
        bursts.append(Burst(arbiter, group, NoteKind.CASEWORK, case_url(dispute), words))
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
    subject = f"The {party} appealed your ruling on {dispute.reference}"
    body = "Another arbiter will decide the appeal; you can follow the case on its page."
    key = f"dispute:{dispute.pk}:appealed:{now.timestamp():.0f}:{ruling}"
    write_notes([Note(ruling, key, subject, body, case_url(dispute), now, NoteKind.CASEWORK)])
