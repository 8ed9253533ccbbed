"""A big case's PDF through the real moving parts: the export is queued when the request
commits, a Celery worker over Redis renders it, and the page then offers the download."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from casefile.models import CaseFileExport, ExportStatus
from config.celery import app
from tests.factories import open_dispute, photo
from tests.test_timers_integration import broker  # noqa: F401  (a Redis of the test's own)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_real_worker_renders_a_big_cases_pdf(client, buyer, seller, settings, broker):  # noqa: F811
    settings.PARLEY_CASE_FILE_INLINE_PHOTOS = 1
    dispute = open_dispute(buyer=buyer, seller=seller, photos=[photo("a.jpg"), photo("b.jpg")])
    client.force_login(buyer)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page = client.post(reverse("casefile:prepare", args=[dispute.reference]))["Location"]
        export = CaseFileExport.objects.get()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            export.refresh_from_db()
            if export.status != ExportStatus.QUEUED:
                break
            time.sleep(0.2)
    assert export.status == ExportStatus.READY
    assert "Your case file is ready" in client.get(page).text
    download = reverse("casefile:export_download", args=[dispute.reference, export.public_id])
    assert b"".join(client.get(download).streaming_content).startswith(b"%PDF")
