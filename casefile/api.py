"""The case file through the marketplace's API: GET /api/v1/cases/{reference}/case-file (the
JSON with its manifest) and …/case-file/evidence.zip (the evidence originals with the JSON).
A read key suffices; another integration's case is a 404, as every case endpoint answers. The
file is the marketplace's: the parties' shared record, with no staff-only content."""

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router

from integration.api import api
from integration.api.auth import caller
from integration.api.openapi import ProblemOut
from integration.selectors import case_for

from .archive import evidence_zip
from .content import build_case_file
from .document import case_file_document, document_bytes
from .schemas import CaseFileDocument

router = Router(tags=["cases"])

ZIP_RESPONSE = {
    "responses": {
        200: {
            "description": "The evidence files as stored, with `case-file.json` at the root.",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _document(request: HttpRequest, reference: str) -> dict[str, Any]:
    case = case_for(caller(request).integration, reference)
    external_id = getattr(case, "order_external_id", None)
    content = build_case_file(case, audience="marketplace", order_external_id=external_id)
    return case_file_document(content)


@router.get(
    "/cases/{reference}/case-file",
    response={200: CaseFileDocument, 404: ProblemOut},
    summary="A case file",
)
def get_case_file(request: HttpRequest, reference: str) -> HttpResponse:
    """The case as it stands, for a chargeback response, a regulator or a court: order and
    payment, claims and offers with their history, messages, evidence (with SHA-256), every
    act of the timeline, the ruling, the appeal, the ledger and the policy version. The
    manifest's `document_sha256` proves the content whole (docs/integration.md, "Case file")."""
    body = document_bytes(_document(request, reference))
    return _private(HttpResponse(body, content_type="application/json"))


@router.get(
    "/cases/{reference}/case-file/evidence.zip",
    response={404: ProblemOut},
    summary="A case file's evidence",
    openapi_extra=ZIP_RESPONSE,
)
def get_case_file_evidence(request: HttpRequest, reference: str) -> FileResponse:
    """Every evidence file as stored, named as the manifest names it, under `evidence/`, and
    the case file's JSON as `case-file.json`: check each file against the manifest's SHA-256."""
    document = _document(request, reference)
    name = f"{document['case_file']['reference']}-evidence.zip"
    return _private(FileResponse(evidence_zip(document), as_attachment=True, filename=name))


def _private[R: HttpResponseBase](response: R) -> R:
    """A case file is one party's record: no shared cache keeps it (as on the web)."""
    response["Cache-Control"] = "private, no-store"
    return response


api.add_router("/", router)
