"""Deadlines: one row per running clock of a dispute."""

from django.db import models

from .choices import DeadlineKind, DeadlineStatus
from .dispute import Dispute


class Deadline(models.Model):
    """One clock on a dispute. A row per clock (not columns on Dispute) because clocks come and
    go with the state, may be extended or paused with a reason, and the rule engine scans one
    indexed table in due order (partial indexes on pending rows).

    `base_due_at` is what the policy gives; `due_at` is when it really fires (base plus staff
    extensions; empty while paused, with the time left kept in `remaining`).
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=32, choices=DeadlineKind.choices)
    base_due_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.PENDING
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status="pending"),
                name="deadline_pending_due",
            ),
            models.Index(
                fields=["next_reminder_at", "id"],
                condition=models.Q(status="pending", next_reminder_at__isnull=False),
                name="deadline_reminder_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "kind"],
                condition=models.Q(status__in=["pending", "paused"]),
                name="one_running_deadline_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.kind} {self.due_at or 'paused'}"

    @property
    def is_extended(self) -> bool:
        return self.due_at is not None and self.due_at != self.base_due_at
