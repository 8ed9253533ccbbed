"""The parties' messages, and what happens to an arbiter's request for evidence: a message
from the party asked answers it; the clock marks it unanswered when its time runs out."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.languages import active_language
from core.timeline import Recorder

from ..events import people, record, recorded
from ..events import rules as by_rule
from ..evidence import ProcessedPhoto
from ..models import ARBITRATION_STATES, DeadlineKind, Dispute, Message
from ..told import message_told
from .kernel import (
    Due,
    attach_photos,
    clock_data,
    end_evidence_request,
    finish,
    finish_many,
    lock,
    party_of,
)


@transaction.atomic
def dispute_post_message(
    *,
    dispute: Dispute,
    actor: User,
    body: str,
    photos: Sequence[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Message:
    now = now or timezone.now()
    dispute = lock(dispute, now)
    party = party_of(dispute, actor)
    if not dispute.is_open:
        raise StaleState(_("This dispute is closed; messages can no longer be added."))
    if not body.strip() and not photos:
        raise ActionRefused(_("Write a message or add a photo."))
    message = Message.objects.create(
        dispute=dispute, author=actor, body=body, language=active_language(), created_at=now
    )
    attach_photos(dispute, photos, actor=actor, now=now, message=message)
    answered = dispute.evidence_requested_from == party
    if answered:
        end_evidence_request(dispute)  # the arbiter's request is answered: its clock stops
        finish(dispute, now)
    data = {"message": message.pk, "photos": len(photos)}
    record(dispute, people.MESSAGE_POSTED.code, actor=actor, at=now, data=data)
    message_told(dispute, party=party, answered=answered, now=now)
    return message


def dispute_evidence_overdue_many(dues: list[Due], *, ran_at: datetime | None = None) -> None:
    """The party asked for evidence did not answer in time: the case goes back to the queue,
    marked so, and the arbiter decides on what is there."""
    recorder = Recorder()
    for dispute, now in dues:
        party = dispute.evidence_requested_from
        if not party or dispute.state not in ARBITRATION_STATES:
            raise StaleState("No evidence request is waiting.")
        end_evidence_request(dispute)
        dispute.no_answer_from = party
        dispute.assignee = None
        dispute.assigned_at = None
        data = {
            **clock_data(now, ran_at, DeadlineKind.EVIDENCE_REQUEST),
            "party": party,
            "state": dispute.state,
        }
        code = by_rule.EVIDENCE_OVERDUE.code
        recorded(recorder, dispute, code, actor=None, at=now, data=data)
    fields = ["no_answer_from", "evidence_requested_from", "evidence_due_at", "assignee"]
    finish_many(dues, [*fields, "assigned_at"])
    recorder.write()
