"""The arbiter asks one party for more evidence, by a due time."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused
from core.languages import active_language
from disputes.events import people, record
from disputes.models import Dispute, Message, Party
from disputes.services.kernel import finish

from .case import locked_case, require_arbiter, require_assignee


@transaction.atomic
def case_request_evidence(
    *,
    dispute: Dispute,
    arbiter: User,
    party: str,
    request: str,
    hours: int,
    now: datetime | None = None,
) -> Dispute:
    """The request is a message to the party; its deadline runs until the party answers
    (disputes.services.dispute_post_message) or the clock marks it unanswered."""
    require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = locked_case(dispute, now)
    require_assignee(dispute, arbiter, _("Take the case before asking for evidence."))
    if party not in (Party.BUYER, Party.SELLER) or not request.strip():
        raise ActionRefused(_("Say whom you ask and what you need."))
    due_at = now + timedelta(hours=hours)
    dispute.evidence_requested_from = party
    dispute.evidence_due_at = due_at
    dispute.no_answer_from = ""
    message = Message.objects.create(
        dispute=dispute,
        author=arbiter,
        body=_addressed(party, request),
        language=active_language(),
        created_at=now,
    )
    finish(dispute, now)
    data = {"party": party, "message": message.pk, "request": request, "due_at": due_at.isoformat()}
    record(dispute, people.EVIDENCE_REQUESTED.code, actor=arbiter, at=now, data=data)
    return dispute


def _addressed(party: str, request: str) -> str:
    """The request as the message says it, in the arbiter's language (the message is recorded
    as written in it: the words around the request are the arbiter's too)."""
    if party == Party.BUYER:
        return _("Parley arbiter to the buyer: %(request)s") % {"request": request}
    return _("Parley arbiter to the seller: %(request)s") % {"request": request}
