"""The case file's PDF on the case pages: a small case downloads at once; a big one is rendered
by the worker and offered when ready, to the person who asked and nobody else."""

import io

import pytest
from celery import current_app
from django.urls import reverse
from pypdf import PdfReader

from casefile.exports import RENDER_TASK
from casefile.models import CaseFileExport, ExportStatus
from casefile.tasks import render_export_task
from disputes import services
from notifications.models import Notification
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(buyer, seller):
    return open_dispute(buyer=buyer, seller=seller, photos=[photo("a.jpg"), photo("b.jpg")])


@pytest.fixture
def queued(monkeypatch):
    """The tasks sent to the broker (none reaches a worker in these tests)."""
    sent: list[tuple[str, list]] = []
    monkeypatch.setattr(
        current_app, "send_task", lambda name, args=None, **kw: sent.append((name, args))
    )
    return sent


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_party_downloads_a_small_cases_pdf_at_once(client, buyer, dispute):
    client.force_login(buyer)
    response = client.get(reverse("casefile:pdf", args=[dispute.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="{dispute.reference}-case-file.pdf"'
    assert dispute.reference in _pdf_text(response.content)
    assert not CaseFileExport.objects.exists()


@pytest.mark.parametrize("who", ["other_buyer", "other_seller"])
def test_someone_elses_case_file_is_a_404(client, dispute, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("casefile:pdf", args=[dispute.reference])).status_code == 404


def test_a_big_case_is_rendered_by_the_worker_and_offered_when_ready(
    client, buyer, dispute, settings, queued, django_capture_on_commit_callbacks
):
    settings.PARLEY_CASE_FILE_INLINE_PHOTOS = 1
    client.force_login(buyer)
    url = reverse("casefile:pdf", args=[dispute.reference])
    offer = client.get(url)  # a GET only offers to prepare it
    assert offer.status_code == 200 and "Prepare the PDF" in offer.text
    assert not CaseFileExport.objects.exists()
    prepare = reverse("casefile:prepare", args=[dispute.reference])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(prepare)
    export = CaseFileExport.objects.get()
    page = reverse("casefile:export", args=[dispute.reference, export.public_id])
    assert response.status_code == 302 and response["Location"] == page
    assert export.status == ExportStatus.QUEUED and export.requested_by == buyer
    assert queued == [(RENDER_TASK, [export.pk])]

    waiting = client.get(page)
    assert "Preparing your case file…" in waiting.text and "Refresh this page" in waiting.text
    assert waiting["Refresh"] == "5"  # the browser asks again, no JavaScript needed
    download = reverse("casefile:export_download", args=[dispute.reference, export.public_id])
    assert client.get(download).status_code == 404  # nothing to download yet
    assert client.get(url)["Location"] == page  # the case page's link finds it again
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(prepare)["Location"] == page  # asking again: the same export
    assert CaseFileExport.objects.count() == 1 and len(queued) == 1

    assert render_export_task(export.pk) == "ready"
    assert render_export_task(export.pk) == "skipped"  # delivered twice: rendered once
    export.refresh_from_db()
    assert export.status == ExportStatus.READY and len(export.sha256) == 64
    ready = client.get(page)
    assert "Your case file is ready" in ready.text and download in ready.text
    assert "Refresh" not in ready
    file = client.get(download)
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    assert f'filename="{dispute.reference}-case-file.pdf"' in file["Content-Disposition"]
    body = b"".join(file.streaming_content)
    assert body.startswith(b"%PDF") and dispute.reference in _pdf_text(body)
    (note,) = Notification.objects.filter(recipient=buyer, code="casefile.note.ready")
    assert note.url == page


def test_a_changed_case_is_prepared_again(client, buyer, dispute, settings, queued):
    settings.PARLEY_CASE_FILE_INLINE_PHOTOS = 1
    client.force_login(buyer)
    prepare = reverse("casefile:prepare", args=[dispute.reference])
    first = client.post(prepare)["Location"]
    services.dispute_post_message(dispute=dispute, actor=buyer, body="One more thing.")
    assert client.get(reverse("casefile:pdf", args=[dispute.reference])).status_code == 200
    assert client.post(prepare)["Location"] != first
    assert CaseFileExport.objects.count() == 2


def test_only_the_asker_sees_their_export(client, buyer, seller, other_buyer, arbiter, dispute):
    client.force_login(buyer)
    export = CaseFileExport.objects.create(
        dispute=dispute,
        requested_by=buyer,
        audience="buyer",
        language="en",
        time_zone="UTC",
        content={},
        content_sha256="0" * 64,
        content_key="0" * 64,
        status=ExportStatus.READY,
        file="case-files/none.pdf",
        created_at=dispute.opened_at,
    )
    page = reverse("casefile:export", args=[dispute.reference, export.public_id])
    download = reverse("casefile:export_download", args=[dispute.reference, export.public_id])
    for someone in (seller, other_buyer, arbiter):
        client.force_login(someone)
        assert client.get(page).status_code == 404
        assert client.get(download).status_code == 404
    other = open_dispute(buyer=buyer, seller=seller)
    client.force_login(buyer)
    wrong_case = reverse("casefile:export", args=[other.reference, export.public_id])
    assert client.get(wrong_case).status_code == 404


def test_a_render_that_fails_says_so_and_can_be_asked_again(
    client, buyer, dispute, queued, monkeypatch
):
    client.force_login(buyer)
    client.post(reverse("casefile:prepare", args=[dispute.reference]))
    export = CaseFileExport.objects.get()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("casefile.exports.case_file_pdf", broken)
    assert render_export_task(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "disk full" in export.error
    page = client.get(reverse("casefile:export", args=[dispute.reference, export.public_id]))
    assert "could not be made" in page.text and "Try again" in page.text
