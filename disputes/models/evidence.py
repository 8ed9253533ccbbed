"""Messages and evidence photos: stored once, never changed."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from .choices import Party
from .dispute import Dispute
from .offer import Offer


def _evidence_name(instance: "EvidenceItem", filename: str) -> str:
    # Random, unguessable names; the original name is kept in a column, never in the path.
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key}.jpg"


def _thumbnail_name(instance: "EvidenceItem", filename: str) -> str:
    key = uuid.uuid4().hex
    return f"evidence/{key[:2]}/{key}-thumb.jpg"


class Message(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    # The language it was written in (core.languages; blank: written before it was recorded).
    language = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        # The case page reads a case's newest messages, a page at a time, at any length.
        indexes = [models.Index(fields=["dispute", "created_at", "id"], name="message_case_time")]

    def __str__(self) -> str:
        return f"{self.author_id}: {self.body[:40]}"


class EvidenceItem(models.Model):
    """A photo as stored: re-encoded, stripped of metadata, hashed. Never changed afterwards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    party = models.CharField(max_length=10, choices=Party.choices)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(upload_to=_evidence_name)
    thumbnail = models.FileField(upload_to=_thumbnail_name)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Evidence is immutable once submitted.")
        super().save(*args, **kwargs)
