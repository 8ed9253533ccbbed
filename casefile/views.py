"""The case file for the people of a case: its buyer and seller (their file: what their case
page shows) and arbiters (staff's). Anyone else gets a 404, as for the case page."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from accounts.access import AuthenticatedRequest

from .archive import evidence_zip
from .content import build_case_file
from .document import case_file_document, document_bytes
from .selectors import case_for_viewer


def _document(request: AuthenticatedRequest, dispute_ref: str) -> dict[str, Any]:
    dispute, audience = case_for_viewer(request.user, dispute_ref)
    return case_file_document(build_case_file(dispute, audience=audience))


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def case_file_json(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    response = HttpResponse(
        document_bytes(_document(request, dispute_ref)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{dispute_ref}-case-file.json"'
    return response


@login_required
@require_GET
@cache_control(private=True, no_store=True)
def case_file_evidence(request: AuthenticatedRequest, dispute_ref: str) -> FileResponse:
    document = _document(request, dispute_ref)
    name = f"{dispute_ref}-evidence.zip"
    return FileResponse(evidence_zip(document), as_attachment=True, filename=name)
