"""The arbiter rules on a case: one act, whole."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import StaleState
from core.fsm import transition
from disputes.events import offer_data, people, record
from disputes.models import Dispute, DisputeState, Offer, Outcome, Party
from disputes.services.items import dispute_cap
from disputes.services.kernel import (
    Proposal,
    carry_out,
    end_evidence_request,
    finish,
    new_offer,
    validated,
)

from ..models import Ruling
from .case import NOTE_LENGTH, REMEDIES, Decision, decided_case, require_assignee


@transaction.atomic
def case_rule(
    *, dispute: Dispute, arbiter: User, decision: Decision, now: datetime | None = None
) -> Ruling:
    """Decide the case: the remedy granted (the arbiter's offer) is carried out through the
    refund ledger, or the claim is rejected; the written ruling cites its evidence; both
    parties are told. The ruling can be appealed once (the APPEAL deadline starts)."""
    now = now or timezone.now()
    dispute = decided_case(dispute, arbiter, decision, now)
    if dispute.state == DisputeState.APPEALED:
        raise StaleState(_("This case is an appeal: uphold or replace the ruling instead."))
    require_assignee(dispute, arbiter, _("Take the case before ruling on it."))
    offer = _granted(dispute, arbiter, decision, now)
    needs_return = bool(offer and offer.needs_return)
    needs_replacement = bool(offer and offer.needs_replacement)
    from_state = transition(
        dispute, "rule", arbiter, needs_return=needs_return, needs_replacement=needs_replacement
    )
    if offer is None:
        dispute.outcome = Outcome.CLAIM_REJECTED
        dispute.closed_at = now
    else:
        carry_out(dispute, offer, source=people.RULED.code, now=now)
    dispute.assignee = None
    dispute.ruled_at = now
    end_evidence_request(dispute)
    finish(dispute, now)
    amount = offer.amount if offer else None
    ruling = Ruling.objects.create(
        dispute=dispute,
        arbiter=arbiter,
        outcome=decision.outcome,
        amount=amount,
        remedy_offer=offer,
        created_at=now,
        **decision.written,
    )
    ruling.cited_evidence.set(decision.cited(dispute))
    data = {"offer": offer_data(offer) if offer else None, "ruling": ruling.pk}
    record(dispute, people.RULED.code, actor=arbiter, at=now, from_state=from_state, data=data)
    return ruling


def _granted(dispute: Dispute, arbiter: User, decision: Decision, now: datetime) -> Offer | None:
    """The remedy the ruling grants, as the arbiter's offer (None: the claim is rejected)."""
    remedy = REMEDIES.get(decision.outcome)
    if remedy is None:
        return None
    asked = Proposal(remedy, decision.amount, note=Truncator(decision.rationale).chars(NOTE_LENGTH))
    proposal = validated(dispute.order, asked, dispute_cap(dispute))
    return new_offer(dispute, party=Party.ARBITER, actor=arbiter, proposal=proposal, now=now)
