"""The clocks of a dispute: which run in which state, their reminders, and staff extensions."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.bulk import update_rows
from core.errors import ActionRefused, StaleState

from .models import (
    RUNNING_STATUSES,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Dispute,
    DisputeEvent,
    DisputeState,
    Party,
    Reason,
)
from .notify import tell_both

# Who must act before each clock runs out (and so is reminded). Others just pass.
RESPONSIBLE_PARTY = {
    DeadlineKind.SELLER_ANSWER: Party.SELLER,
    DeadlineKind.RETURN_SHIPMENT: Party.BUYER,
    DeadlineKind.RETURN_RECEIPT: Party.SELLER,
}


def wanted_deadlines(dispute: Dispute) -> dict[str, datetime]:
    """The clocks the policy runs in the dispute's current state, with their base due times."""
    policy, order, state = dispute.policy, dispute.order, dispute.state
    wanted: dict[str, datetime] = {}
    if state in (DisputeState.AWAITING_SELLER, DisputeState.AWAITING_BUYER):
        wanted[DeadlineKind.NEGOTIATION_LIMIT] = dispute.opened_at + timedelta(
            days=policy.negotiation_days
        )
        in_transit = order.received_at is None and order.promised_delivery_at is not None
        if dispute.reason in Reason.about_delivery() and in_transit:
            wanted[DeadlineKind.GOODS_IN_TRANSIT] = order.promised_delivery_at
    if state == DisputeState.AWAITING_SELLER:
        wanted[DeadlineKind.SELLER_ANSWER] = dispute.seller_clock_started_at + timedelta(
            days=policy.seller_answer_days
        )
    if state == DisputeState.AWAITING_RETURN:
        wanted[DeadlineKind.RETURN_SHIPMENT] = dispute.agreed_at + timedelta(
            days=policy.return_ship_days
        )
    appealable = state in (
        DisputeState.RESOLVED,
        DisputeState.AWAITING_RETURN,
        DisputeState.RETURN_IN_TRANSIT,
    )
    if appealable and dispute.ruled_at and not dispute.appealed_at and not dispute.final_at:
        wanted[DeadlineKind.APPEAL] = dispute.ruled_at + timedelta(days=policy.appeal_days)
    if state in (DisputeState.ESCALATED, DisputeState.APPEALED) and dispute.evidence_due_at:
        wanted[DeadlineKind.EVIDENCE_REQUEST] = dispute.evidence_due_at
    if state == DisputeState.RETURN_IN_TRANSIT:
        # No carrier feed: delivery is estimated with the seller's own delivery time limit.
        delivered = dispute.return_shipped_at + timedelta(days=order.delivery_days or 0)
        wanted[DeadlineKind.RETURN_RECEIPT] = delivered + timedelta(days=policy.return_receipt_days)
    return wanted


def next_reminder(kind: str, due_at: datetime | None, after: datetime) -> datetime | None:
    """The next reminder time still ahead of `after`, for clocks someone must beat."""
    if kind not in RESPONSIBLE_PARTY or due_at is None:
        return None
    moments = sorted(due_at - timedelta(hours=h) for h in settings.PARLEY_REMINDER_HOURS)
    return next((m for m in moments if m > after), None)


def sync_deadlines(dispute: Dispute, now: datetime) -> None:
    sync_deadlines_many([(dispute, now)])


def sync_deadlines_many(changed: list[tuple[Dispute, datetime]]) -> None:
    """Make the running clocks match each dispute's state (as of the time given with it): stop
    those that no longer apply, start new ones. One read and at most two writes in all.

    A clock whose base due time is unchanged keeps its staff extension or pause.
    """
    running = defaultdict(list)
    for deadline in Deadline.objects.filter(
        dispute_id__in=[dispute.pk for dispute, _ in changed], status__in=RUNNING_STATUSES
    ):
        running[deadline.dispute_id].append(deadline)
    stopped, started = [], []
    for dispute, now in changed:
        wanted = wanted_deadlines(dispute)
        for deadline in running[dispute.pk]:
            if wanted.get(deadline.kind) == deadline.base_due_at:
                wanted.pop(deadline.kind)
                continue
            deadline.status = DeadlineStatus.CANCELLED
            deadline.closed_at = now
            stopped.append(deadline)
        started.extend(
            Deadline(
                dispute=dispute,
                kind=kind,
                base_due_at=due,
                due_at=due,
                next_reminder_at=next_reminder(kind, due, now),
                created_at=now,
            )
            for kind, due in wanted.items()
        )
    update_rows(stopped, ["status", "closed_at"])
    Deadline.objects.bulk_create(started)


# --- Staff: extend or pause a clock, with a reason both parties see ---------------------------


def _locked_deadline(deadline: Deadline, actor: User) -> Deadline:
    if not actor.is_arbiter:
        raise ActionRefused("Only Parley staff can change a deadline.")
    Dispute.objects.select_for_update(of=("self",)).get(pk=deadline.dispute_id)
    deadline = Deadline.objects.select_related("dispute__order__store").get(pk=deadline.pk)
    if deadline.status not in RUNNING_STATUSES:
        raise StaleState("This deadline has already passed or no longer applies.")
    return deadline


def _record(deadline: Deadline, actor: User, code: str, message: str, reason: str, now):
    DisputeEvent.objects.create(
        dispute=deadline.dispute,
        actor=actor,
        code=code,
        from_state=deadline.dispute.state,
        to_state=deadline.dispute.state,
        data={
            "deadline": deadline.pk,
            "kind": deadline.kind,
            "reason": reason,
            "text": f"{message} Reason: {reason}",
        },
        created_at=now,
    )
    tell_both(
        deadline.dispute,
        key=f"{code}:{deadline.pk}:{now.timestamp()}",
        subject=f"Dispute {deadline.dispute.reference}: a deadline changed",
        body=f"{message} Reason: {reason}",
        now=now,
    )


@transaction.atomic
def deadline_extend(
    *, deadline: Deadline, actor: User, hours: int, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    if hours <= 0 or not reason.strip():
        raise ActionRefused("Give a number of hours and a reason.")
    deadline = _locked_deadline(deadline, actor)
    if deadline.status == DeadlineStatus.PAUSED:
        deadline.remaining += timedelta(hours=hours)
        when = "when it resumes"
    else:
        deadline.due_at += timedelta(hours=hours)
        deadline.next_reminder_at = next_reminder(deadline.kind, deadline.due_at, now)
        when = f"now due {deadline.due_at:%-d %b %Y, %H:%M} UTC"
    deadline.save(update_fields=["due_at", "remaining", "next_reminder_at"])
    label = deadline.get_kind_display()
    _record(
        deadline,
        actor,
        "disputes.deadline.extended",
        f"{label} extended by {hours} hours ({when}).",
        reason,
        now,
    )
    return deadline


@transaction.atomic
def deadline_pause(
    *, deadline: Deadline, actor: User, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    if not reason.strip():
        raise ActionRefused("Give a reason for pausing the deadline.")
    deadline = _locked_deadline(deadline, actor)
    if deadline.status == DeadlineStatus.PAUSED:
        raise StaleState("This deadline is already paused.")
    deadline.remaining = max(deadline.due_at - now, timedelta(0))
    deadline.due_at = None
    deadline.next_reminder_at = None
    deadline.status = DeadlineStatus.PAUSED
    deadline.save(update_fields=["remaining", "due_at", "next_reminder_at", "status"])
    _record(
        deadline,
        actor,
        "disputes.deadline.paused",
        f"{deadline.get_kind_display()} paused.",
        reason,
        now,
    )
    return deadline


@transaction.atomic
def deadline_resume(
    *, deadline: Deadline, actor: User, reason: str, now: datetime | None = None
) -> Deadline:
    now = now or timezone.now()
    deadline = _locked_deadline(deadline, actor)
    if deadline.status != DeadlineStatus.PAUSED:
        raise StaleState("This deadline is not paused.")
    deadline.due_at = now + deadline.remaining
    deadline.remaining = None
    deadline.status = DeadlineStatus.PENDING
    deadline.next_reminder_at = next_reminder(deadline.kind, deadline.due_at, now)
    deadline.save(update_fields=["remaining", "due_at", "next_reminder_at", "status"])
    message = (
        f"{deadline.get_kind_display()} running again, due {deadline.due_at:%-d %b %Y, %H:%M} UTC."
    )
    _record(deadline, actor, "disputes.deadline.resumed", message, reason or "resumed", now)
    return deadline
