"""After a ruling: either party may appeal it once, within the policy's window; when nobody
does in time, the clock makes it final. (The appeal's decision is arbitration's act.)"""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused, StaleState
from core.fsm import transition
from core.languages import active_language
from core.timeline import Recorder

from ..events import people, record, recorded
from ..events import rules as by_rule
from ..evidence import ProcessedPhoto
from ..models import RUNNING_STATUSES, DeadlineKind, Dispute, Message
from ..told import appeal_told
from .kernel import Due, attach_photos, clock_data, finish, finish_many, lock, party_of


@transaction.atomic
def dispute_appeal(
    *,
    dispute: Dispute,
    actor: User,
    statement: str,
    photos: Sequence[ProcessedPhoto] = (),
    now: datetime | None = None,
) -> Dispute:
    """Either party appeals the ruling, once, within the policy's window, with new evidence."""
    now = now or timezone.now()
    dispute = lock(dispute, now)
    if not statement.strip():
        raise ActionRefused(_("Explain why the ruling should change."))
    # The running appeal clock, which staff may have extended or paused.
    clock = dispute.deadlines.filter(kind=DeadlineKind.APPEAL, status__in=RUNNING_STATUSES).first()
    if clock is None or (clock.due_at is not None and now > clock.due_at):
        raise StaleState(_("The appeal window has closed: the ruling is final."))
    from_state = transition(dispute, "appeal", actor)
    dispute.appealed_at = now
    dispute.appealed_by = actor
    dispute.escalated_at = now
    dispute.assignee = None
    message = Message.objects.create(
        dispute=dispute,
        author=actor,
        body=f"Appeal: {statement}",
        language=active_language(),
        created_at=now,
    )
    attach_photos(dispute, photos, actor=actor, now=now, message=message)
    finish(dispute, now)
    party = party_of(dispute, actor)
    data = {"party": party, "message": message.pk, "photos": len(photos)}
    record(dispute, people.APPEALED.code, actor=actor, at=now, from_state=from_state, data=data)
    appeal_told(dispute, party=party, now=now)
    return dispute


def dispute_finalize_many(dues: list[Due], *, ran_at: datetime | None = None) -> None:
    """No appeal within the window: each ruling is final (and the seller's payout can follow)."""
    recorder = Recorder()
    for dispute, now in dues:
        if not dispute.appeal_open:
            raise StaleState("Nothing to make final.")
        dispute.final_at = now
        data = {
            **clock_data(now, ran_at, DeadlineKind.APPEAL),
            "days": dispute.policy.appeal_days,
            "state": dispute.state,
        }
        code = by_rule.RULING_FINAL.code
        recorded(recorder, dispute, code, actor=None, at=now, data=data)
    finish_many(dues, ["final_at"])
    recorder.write()
