"""Evidence files whose act rolled back are swept from storage (hardening finding 9: they
stayed for ever). The file is written before its row, inside the act's transaction."""

import os
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from disputes import services
from disputes.models import EvidenceItem
from disputes.tasks import sweep_orphan_evidence, sweep_orphan_evidence_task
from tests.factories import open_dispute, photo
from tests.test_evidence_storage_s3 import BUCKET, CREDENTIALS, ThreadedMotoServer, s3_endpoint

__all__ = ["s3_endpoint"]  # a fixture, used by name

pytestmark = pytest.mark.django_db

TWO_HOURS = 2 * 60 * 60


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": None},
        },
    }


def stored_files() -> set[str]:
    found = set()
    for folder in default_storage.listdir("evidence")[0]:
        found |= {
            f"evidence/{folder}/{name}" for name in default_storage.listdir(f"evidence/{folder}")[1]
        }
    return found


def age(names, seconds: int) -> None:
    then = time.time() - seconds
    for name in names:
        os.utime(default_storage.path(name), (then, then))


def test_files_of_a_rolled_back_act_are_swept_and_the_rest_kept(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    kept = stored_files()
    assert len(kept) == 2  # the claim's photo and its thumbnail

    with pytest.raises(RuntimeError), transaction.atomic():
        services.dispute_post_message(
            dispute=dispute, actor=seller, body="Here.", photos=[photo("a.jpg"), photo("b.jpg")]
        )
        raise RuntimeError("the act fails after the files were written")

    orphans = stored_files() - kept
    assert len(orphans) == 4 and not EvidenceItem.objects.filter(message__isnull=False).exists()
    age(stored_files(), TWO_HOURS)
    fresh = default_storage.save("evidence/ab/just-written.jpg", ContentFile(b"x"))

    out = StringIO()
    call_command("sweep_orphan_evidence", stdout=out)

    assert stored_files() == kept | {fresh}
    assert "Deleted 4 orphan evidence files" in out.getvalue()
    assert dispute.evidence.get().file.read()  # the committed photo is untouched


def test_dry_run_deletes_nothing(buyer, seller):
    orphan = default_storage.save("evidence/cd/orphan.jpg", ContentFile(b"x"))
    age([orphan], TWO_HOURS)

    out = StringIO()
    call_command("sweep_orphan_evidence", "--dry-run", stdout=out)

    assert stored_files() == {orphan}
    assert "Would delete 1 orphan evidence files" in out.getvalue()


def test_nothing_stored_yet_is_not_an_error():
    out = StringIO()
    call_command("sweep_orphan_evidence", stdout=out)

    assert "Deleted 0 orphan evidence files" in out.getvalue()


def test_beat_runs_the_sweep_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["sweep-orphan-evidence"]
    assert entry["task"] == sweep_orphan_evidence_task.name == "disputes.sweep_orphan_evidence"
    assert entry["schedule"] == 24 * 60 * 60
    orphan = default_storage.save("evidence/ef/orphan.jpg", ContentFile(b"x"))
    age([orphan], TWO_HOURS)

    assert sweep_orphan_evidence_task() == 1
    assert not default_storage.exists(orphan)


@pytest.mark.skipif(ThreadedMotoServer is None, reason="moto is not installed (dev extras)")
def test_the_sweep_walks_s3_storage_too(settings, s3_endpoint, buyer, seller):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": "path",
                **CREDENTIALS,
            },
        },
    }
    dispute = open_dispute(buyer=buyer, seller=seller)
    item = dispute.evidence.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dispute_post_message(dispute=dispute, actor=seller, body="-", photos=[photo()])
        raise RuntimeError("rolled back")
    assert len(stored_files()) == 4

    # S3 sets the modification time itself: look from two hours ahead instead.
    deleted = sweep_orphan_evidence(now=timezone.now() + timedelta(hours=2))

    assert len(deleted) == 2
    assert stored_files() == {item.file.name, item.thumbnail.name}
