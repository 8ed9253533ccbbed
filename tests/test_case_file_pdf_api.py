"""GET /api/v1/cases/{reference}/case-file.pdf: the marketplace's PDF of a case, at once for a
small case, 202 with Retry-After while a worker renders a big one, then 200; another
marketplace's key finds no such case."""

import io

import pytest
from celery import current_app
from pypdf import PdfReader

from casefile.models import CaseFileExport, ExportStatus
from casefile.tasks import render_export_task
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(buyer, seller):
    return open_dispute(buyer=buyer, seller=seller, photos=[photo("a.jpg"), photo("b.jpg")])


def _key(name, dispute=None):
    integration = Integration.objects.create(name=name)
    if dispute is not None:
        order = dispute.order_id
        ExternalRef.objects.create(
            integration=integration, kind=RefKind.ORDER, external_id="o-9", object_id=order
        )
    return ApiKey.issue(integration, scope=Scope.READ)[1]


def _get(client, key, dispute, query=""):
    path = f"/api/v1/cases/{dispute.reference}/case-file.pdf{query}"
    return client.get(path, headers={"Authorization": f"Bearer {key}"})


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_small_cases_pdf_comes_at_once_in_the_language_asked(client, dispute):
    key = _key("Bazaar", dispute)
    response = _get(client, key, dispute, "?language=es&time_zone=Europe/Madrid")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{dispute.reference}-case-file.pdf"' in response["Content-Disposition"]
    text = _text(response.content)
    assert f"Expediente {dispute.reference}" in text and "hora de Madrid" in text
    assert "For Parley's arbiters" not in text and "Para los árbitros" not in text


def test_a_big_case_answers_202_until_the_worker_has_rendered_it(
    client, dispute, settings, monkeypatch
):
    settings.PARLEY_CASE_FILE_INLINE_PHOTOS = 1
    monkeypatch.setattr(current_app, "send_task", lambda *args, **kwargs: None)
    key = _key("Bazaar", dispute)
    first = _get(client, key, dispute)
    assert first.status_code == 202 and first["Retry-After"] == "10"
    assert first.json() == {"status": "queued", "retry_after": 10}
    assert _get(client, key, dispute).status_code == 202
    export = CaseFileExport.objects.get()  # asked twice, queued once
    assert export.audience == "marketplace" and export.requested_by is None

    assert render_export_task(export.pk) == "ready"
    ready = _get(client, key, dispute)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert dispute.reference in _text(b"".join(ready.streaming_content))
    assert CaseFileExport.objects.get().status == ExportStatus.READY


def test_another_marketplaces_key_finds_no_such_case(client, dispute):
    _key("Bazaar", dispute)
    response = _get(client, _key("Elsewhere"), dispute)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("query", ["?language=xx", "?time_zone=Mars/Olympus"])
def test_an_unknown_language_or_zone_is_a_clear_400(client, dispute, query):
    response = _get(client, _key("Bazaar", dispute), dispute, query)
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
