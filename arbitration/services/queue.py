"""The arbitration queue: arbiters take cases, release them, and leads reassign them."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import ActionRefused
from disputes.events import record
from disputes.models import Dispute, DisputeState

from .. import events
from .case import QUEUE_STATES, locked_case, refuse_first_arbiter_on_appeal, require_arbiter


@transaction.atomic
def case_take_next(*, arbiter: User, now: datetime | None = None) -> Dispute | None:
    """Assign the most urgent unassigned case to `arbiter`. Two arbiters clicking at once get
    two different cases: each skips the row the other has locked."""
    require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = (
        Dispute.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("order__store")
        .filter(state__in=QUEUE_STATES, assignee__isnull=True)
        # An appeal goes to another arbiter than the one who ruled.
        .exclude(state=DisputeState.APPEALED, rulings__arbiter=arbiter)
        .order_by("target_at", "-claimed_amount", "id")
        .first()
    )
    if dispute is None:
        return None
    dispute.assignee = arbiter
    dispute.assigned_at = now
    dispute.save(update_fields=["assignee", "assigned_at"])
    record(dispute, events.TAKEN.code, actor=arbiter, at=now)
    return dispute


@transaction.atomic
def case_release(*, dispute: Dispute, arbiter: User, now: datetime | None = None) -> Dispute:
    require_arbiter(arbiter)
    now = now or timezone.now()
    dispute = locked_case(dispute, now)
    if dispute.assignee_id != arbiter.pk:
        raise ActionRefused(_("Only the arbiter working this case can release it."))
    dispute.assignee = None
    dispute.assigned_at = None
    dispute.save(update_fields=["assignee", "assigned_at"])
    record(dispute, events.RELEASED.code, actor=arbiter, at=now)
    return dispute


@transaction.atomic
def case_reassign(
    *, dispute: Dispute, lead: User, to: User, now: datetime | None = None
) -> Dispute:
    require_arbiter(lead)
    if not lead.is_lead_arbiter:
        raise ActionRefused(_("Only a lead arbiter can reassign cases."))
    require_arbiter(to)
    now = now or timezone.now()
    dispute = locked_case(dispute, now)
    refuse_first_arbiter_on_appeal(dispute, to)
    dispute.assignee = to
    dispute.assigned_at = now
    dispute.save(update_fields=["assignee", "assigned_at"])
    data = {"to": to.pk, "to_name": to.display_name}
    record(dispute, events.REASSIGNED.code, actor=lead, at=now, data=data)
    return dispute
