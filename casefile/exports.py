"""A case file's PDF made by a worker: asked for, queued, rendered once, offered when ready.

A small case (at most PARLEY_CASE_FILE_INLINE_PHOTOS photos) is rendered in the request that
asks for it; a bigger one costs seconds per photo page, so the request stores what it asked
for (the case file as it stands, in the asker's language and zone) and a Celery task renders
it. Asking for it is a POST (a GET changes nothing); the case page's link then finds that export
again for as long as the case does not change: the key is what the content says (its digest
without the moment it was built), the audience, the language and the zone.

The worker is idempotent: it renders an export only while it is queued, and marks it ready
with a compare-and-set, so a task delivered twice (acks_late) stores one file, tells once.
"""

import dataclasses
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from core.outbox import Note, write_notes
from disputes.models import Dispute
from integration.models import Integration

from .document import case_file_document, content_sha256
from .models import CaseFileExport, ExportStatus, export_name
from .pdf import case_file_pdf
from .ready import READY, ready_url
from .schemas import CaseFile
from .selectors import audience_for

logger = logging.getLogger(__name__)

RENDER_TASK = "casefile.render_export"
# A queued export not ready after this long has probably lost its task (broker down when it
# was queued, worker killed): looking at it queues it again; the compare-and-set keeps one.
REQUEUE_AFTER = timedelta(minutes=3)
RETRY_FAILED_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Asked:
    """Who asks for which case file, in which words and zone."""

    dispute: Dispute
    audience: str
    language: str
    time_zone: str
    requested_by_id: int | None = None
    integration: Integration | None = None

    def fields(self) -> dict[str, Any]:
        """The export's columns that say who asked, for what, how (dataclass fields by name)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def export_for_viewer(
    user: User, reference: str, public_id: UUID, *, ready: bool = False
) -> CaseFileExport:
    """One of `user`'s own exports of a case they may still read (ready ones only, with
    `ready`); anyone else's, or another case's, is a 404."""
    exports = CaseFileExport.objects.select_related("dispute__order__store")
    if ready:
        exports = exports.filter(status=ExportStatus.READY)
    export = exports.filter(
        public_id=public_id, dispute__reference=reference, requested_by=user
    ).first()
    if export is None or audience_for(export.dispute, user) is None:
        raise Http404("No such case file.")
    return export


def renders_inline(photos: int) -> bool:
    """Whether a case file with this many photos is rendered inside the request."""
    return photos <= settings.PARLEY_CASE_FILE_INLINE_PHOTOS


def export_found(
    asked: Asked, content: Mapping[str, Any], *, now: datetime | None = None
) -> CaseFileExport | None:
    """The export this asker already asked for of this content (queued, ready, or failed a
    moment ago); None when there is none to show. Reads only."""
    found = (
        CaseFileExport.objects.filter(**asked.fields(), content_key=content_key(content))
        .order_by("-created_at")
        .first()
    )
    if found is None or _worth_retrying(found, now or timezone.now()):
        return None
    return found


def export_request(
    asked: Asked, *, content: Mapping[str, Any], digest: str, now: datetime | None = None
) -> CaseFileExport:
    """The export of this content for this asker: the one already asked for, else a new one,
    queued for the worker once this transaction commits. One that waited too long is queued
    again (its task was probably lost; the worker renders it once all the same)."""
    now = now or timezone.now()
    found = export_found(asked, content, now=now)
    if found is not None:
        if found.status == ExportStatus.QUEUED and found.created_at < now - REQUEUE_AFTER:
            transaction.on_commit(lambda: queue_render(found.pk))
        return found
    export = CaseFileExport.objects.create(
        **asked.fields(),
        content=dict(content),
        content_sha256=digest,
        content_key=content_key(content),
        created_at=now,
    )
    transaction.on_commit(lambda: queue_render(export.pk))
    return export


def document_sha256(case: CaseFile) -> str:
    """The JSON document's SHA-256, as its manifest gives it (printed on the PDF)."""
    digest: str = case_file_document(case)["manifest"]["document_sha256"]
    return digest


def content_key(content: Mapping[str, Any]) -> str:
    """What the case says, whenever it was asked: its document's hash (without the moment it
    was built), so an unchanged case finds the export already made."""
    return content_sha256(content)


def _worth_retrying(export: CaseFileExport, now: datetime) -> bool:
    """A failed export is shown as failed for a while (a poller does not start a render per
    poll), then asked for again."""
    finished = export.finished_at or export.created_at
    return export.status == ExportStatus.FAILED and finished < now - RETRY_FAILED_AFTER


def export_render(export_id: int) -> ExportStatus | None:
    """Render a queued export (the worker's task); None if it was not queued any more."""
    export = CaseFileExport.objects.select_related("dispute").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return None
    case = CaseFile.model_validate(export.content)
    try:
        pdf = case_file_pdf(case, dispute=export.dispute, document_sha256=export.content_sha256)
    except Exception as exc:  # whatever broke: "could not be made", never queued for ever
        logger.exception("case file export %s failed", export_id)
        export_fail(export_id, f"{type(exc).__name__}: {exc}")
        return ExportStatus.FAILED
    return ExportStatus.READY if export_finish(export_id, pdf) else None


def queue_render(export_id: int) -> None:
    try:
        # By name: the task module imports this one.
        current_app.send_task(RENDER_TASK, args=[export_id], retry=False)
    except Exception:  # the broker is down: asking again after REQUEUE_AFTER queues it again
        logger.warning("case file export %s not queued: broker unavailable", export_id)


def export_finish(export_id: int, pdf: bytes, *, now: datetime | None = None) -> bool:
    """Store a rendered export and mark it ready, once; the asker hears of it in the app.
    False when another run got there first (its file is kept, this one is not stored)."""
    export = CaseFileExport.objects.select_related("dispute").get(pk=export_id)
    if export.status != ExportStatus.QUEUED:
        return False
    # Stored before the row says so (outside the transaction: a slow storage holds no lock);
    # a run that loses the race below deletes its copy.
    name = export.file.storage.save(export_name(export, "case-file.pdf"), ContentFile(pdf))
    with transaction.atomic():
        won = CaseFileExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.READY,
            file=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            finished_at=now or timezone.now(),
        )
        if won and export.requested_by_id is not None:
            write_notes([_ready_note(export)], now=now)
    if not won:
        export.file.storage.delete(name)
    return bool(won)


def export_fail(export_id: int, error: str, *, now: datetime | None = None) -> None:
    CaseFileExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.FAILED, error=error[:300], finished_at=now or timezone.now()
    )


def _ready_note(export: CaseFileExport) -> Note:
    assert export.requested_by_id is not None
    return Note(
        recipient_id=export.requested_by_id,
        dedupe_key=f"casefileexport:{export.pk}:{READY}",
        url=ready_url(export),
        code=READY,
        data={"reference": export.dispute.reference},
    )
