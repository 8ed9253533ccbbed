from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.outbox import NoteKind

from .words import NoteText, note_text


class Delivery(models.TextChoices):
    """Where a notification's email stands (read from its columns, not stored)."""

    WAITING = "waiting", _("Waiting")
    RETRYING = "retrying", _("Retrying after a failure")
    GIVEN_UP = "given_up", _("Given up")
    SENT = "sent", _("Sent")


UNDELIVERED = models.Q(emailed_at__isnull=True, gave_up_at__isnull=True)
DELIVERY_FILTERS = {
    Delivery.WAITING: UNDELIVERED & models.Q(attempts=0),
    Delivery.RETRYING: UNDELIVERED & models.Q(attempts__gt=0),
    Delivery.GIVEN_UP: models.Q(emailed_at__isnull=True, gave_up_at__isnull=False),
    Delivery.SENT: models.Q(emailed_at__isnull=False),
}


class Notification(models.Model):
    """One message to one person: shown in the app and sent by email.

    Written in the same transaction as the act it reports (an outbox), delivered by a task after
    commit; a periodic sweep delivers whatever no task did (broker down, worker lost). A failed
    send is tried again later (`next_attempt_at`, backing off); after the last attempt the row is
    given up (`gave_up_at`) until staff retry it.

    What it says is a code and data, rendered when read (`words`: notifications.words), in the
    reader's language and zone. Rows from before codes, and writers without one, keep the words
    they were written with in `subject` and `body`.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=160, unique=True)
    code = models.CharField(max_length=64, blank=True, default="", db_default="")
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder, db_default={})
    subject = models.CharField(max_length=200, blank=True, default="", db_default="")
    body = models.TextField(blank=True, default="", db_default="")
    url = models.CharField(max_length=200, blank=True)
    kind = models.CharField(
        max_length=16, choices=NoteKind.choices, default=NoteKind.UPDATES, db_default="updates"
    )
    # A burst of the same news (messages on one dispute) is one note, its count going up while
    # its email waits for the end of the burst's window (notifications.grouping).
    group_key = models.CharField(max_length=120, blank=True, default="", db_default="")
    count = models.PositiveIntegerField(default=1, db_default=1)
    created_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Email delivery: the database defaults cover rows inserted column by column (core.bulk).
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    last_error = models.TextField(blank=True, default="", db_default="")
    next_attempt_at = models.DateTimeField(default=timezone.now, db_default=Now())
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The unread count every page's header shows: as many entries as unread notes,
            # however long a person's history grows.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # What the outbox sweep reads: rows still to email, by when they are due.
            models.Index(
                fields=["next_attempt_at"], condition=UNDELIVERED, name="notification_due"
            ),
            # The burst still open for a group (looked up on every message).
            models.Index(
                fields=["recipient", "group_key"],
                condition=UNDELIVERED & ~models.Q(group_key=""),
                name="notification_open_burst",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.words.subject}"

    @property
    def words(self) -> NoteText:
        """Subject and body in the active language and zone (rendered on each read)."""
        return note_text(self.code, self.data, self.count, NoteText(self.subject, self.body))

    @property
    def delivery(self) -> Delivery:
        if self.emailed_at is not None:
            return Delivery.SENT
        if self.gave_up_at is not None:
            return Delivery.GIVEN_UP
        return Delivery.RETRYING if self.attempts else Delivery.WAITING


class EmailChoice(models.Model):
    """A person's choice of email for one kind of note (no row: email on). In the app every
    note is shown whatever the choice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_choices"
    )
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("email choice")
        verbose_name_plural = _("email choices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_email_choice_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.email else 'off'}"
