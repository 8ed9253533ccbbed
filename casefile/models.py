"""A case file rendered on a worker: a big case's PDF is too slow to make inside a request."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute
from integration.models import Integration


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be made")


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"


def export_name(instance: "CaseFileExport", filename: str) -> str:
    # Private storage, unguessable name; the download's own name carries the case reference.
    return f"case-files/{instance.public_id.hex[:2]}/{instance.public_id.hex}.pdf"


class CaseFileExport(models.Model):
    """One person's (or one marketplace's) request for a case's PDF, in their language and
    zone, of the case as it stood when they asked: `content` is the case file they asked for
    (the JSON of casefile.schemas.CaseFile), `content_sha256` its document's digest as the
    manifest gives it. The worker renders that content, so what is delivered is what was asked
    for, and the same request of an unchanged case finds the export already made."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    audience = models.CharField(max_length=16)
    format = models.CharField(max_length=8, choices=ExportFormat.choices, default=ExportFormat.PDF)
    language = models.CharField(max_length=10)
    time_zone = models.CharField(max_length=64)
    content = models.JSONField()
    content_sha256 = models.CharField(max_length=64)  # the JSON document's, as printed on it
    # What the case says, whenever asked (the content's digest without its `generated_at`):
    # the same request of an unchanged case finds this export again.
    content_key = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(upload_to=export_name, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the PDF's bytes
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # A person's or a marketplace's: never nobody's.
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=False)
                | models.Q(integration__isnull=False),
                name="case_file_export_has_requester",
            )
        ]
        indexes = [
            models.Index(fields=["dispute", "content_key"], name="case_file_export_content"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.format} {self.status}"
