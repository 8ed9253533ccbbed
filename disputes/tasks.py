import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from celery import current_app, shared_task
from django.core.files.storage import Storage
from django.db.models import Q
from django.utils import timezone

from .ledger import SETTLE_REFUNDS_TASK
from .models import EvidenceItem
from .settlement import refund_settle_many, settle_pending

logger = logging.getLogger(__name__)

EVIDENCE_FOLDER = "evidence"  # models._evidence_name and _thumbnail_name write under it
ORPHAN_GRACE = timedelta(hours=1)
LOOKUP_CHUNK = 1000


SETTLE_PENDING_TASK = "disputes.settle_pending_refunds"


@shared_task(name=SETTLE_PENDING_TASK)
def settle_pending_refunds_task() -> int:
    """Beat's catch-up (every 5 minutes); a backlog bigger than one run's time budget queues
    its own continuation instead of waiting for the next tick."""
    result = settle_pending()
    if result.left:
        current_app.send_task(SETTLE_PENDING_TASK, retry=False)
    return result.settled


@shared_task(name=SETTLE_REFUNDS_TASK)
def settle_refunds_task(refund_ids: list[int]) -> int:
    return refund_settle_many(refund_ids=refund_ids)


@shared_task(name="disputes.sweep_orphan_evidence")
def sweep_orphan_evidence_task() -> int:
    return len(sweep_orphan_evidence())


def sweep_orphan_evidence(
    *, grace: timedelta = ORPHAN_GRACE, now: datetime | None = None, dry_run: bool = False
) -> list[str]:
    """Delete the files under evidence/ in storage that no EvidenceItem names and that are older
    than `grace`; return their names.

    A photo's file is written before its row (the row needs the name), inside the act's
    transaction: when that rolls back, the row goes and the file stays. The grace period spares
    files whose transaction is still open. Rows are never deleted (evidence is immutable), so a
    referenced file never becomes an orphan.
    """
    storage = EvidenceItem.file.field.storage
    cutoff = (now or timezone.now()) - grace
    deleted: list[str] = []
    for names in _files_by_folder(storage, EVIDENCE_FOLDER):
        for name in sorted(set(names) - _referenced(names)):
            if storage.get_modified_time(name) >= cutoff:
                continue
            if not dry_run:
                storage.delete(name)
            deleted.append(name)
    if deleted:
        verb = "would delete" if dry_run else "deleted"
        logger.info("orphan evidence files %s: %d", verb, len(deleted), extra={"files": deleted})
    return deleted


def _files_by_folder(storage: Storage, folder: str) -> Iterator[list[str]]:
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored yet (FileSystemStorage)
        return
    yield [f"{folder}/{name}" for name in files]
    for child in sorted(folders):
        yield from _files_by_folder(storage, f"{folder}/{child}")


def _referenced(names: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(names), LOOKUP_CHUNK):
        chunk = names[start : start + LOOKUP_CHUNK]
        rows = EvidenceItem.objects.filter(Q(file__in=chunk) | Q(thumbnail__in=chunk))
        for file, thumbnail in rows.values_list("file", "thumbnail"):
            found.update((file, thumbnail))
    return found
