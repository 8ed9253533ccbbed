"""The note a person gets when the case file they asked for is ready (in-app and by email, as
their choices say), stored as a code and the case's reference, said when read."""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from core.outbox import note_words

if TYPE_CHECKING:
    from .models import CaseFileExport


def _ready_words(data: Mapping[str, Any], count: int) -> tuple[str, str]:
    """{"reference"}: the case whose file is ready."""
    said = {"reference": data["reference"]}
    subject = _("The case file of %(reference)s is ready") % said
    body = _(
        "The PDF of case %(reference)s you asked for is ready to download. It shows the case "
        "as it stood when you asked."
    )
    return subject, body % said


READY = note_words("casefile.note.ready", _ready_words)


def ready_url(export: "CaseFileExport") -> str:
    kwargs = {"dispute_ref": export.dispute.reference, "public_id": export.public_id}
    return reverse("casefile:export", kwargs=kwargs)
