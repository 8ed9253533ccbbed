"""GET /api/v1/cases/{reference}/case-file.pdf: the case file printed, in the language and zone
the marketplace asks for. A small case answers 200 with the PDF; a big one 202 with
Retry-After while a worker renders it, then 200 with the same PDF for as long as the case does
not change. A read key suffices; another integration's case is a 404."""

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone, translation
from ninja import Query, Router, Schema
from pydantic import Field, JsonValue, field_validator

from core.zones import is_zone, zone_names
from integration.api import api
from integration.api.auth import caller
from integration.api.openapi import ProblemOut
from integration.api.problems import Problem
from integration.selectors import case_for

from .content import build_case_file
from .exports import Asked, document_sha256, export_request, renders_inline
from .models import ExportStatus
from .pdf import case_file_pdf
from .pdf_views import attachment_name, pdf_response

router = Router(tags=["cases"])

RETRY_AFTER_SECONDS = 10
PDF_RESPONSE = {
    "responses": {
        200: {
            "description": "The case file as a PDF (an attachment named after the case).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


LANGUAGES: list[JsonValue] = [code for code, _ in settings.LANGUAGES]
ZONES: list[JsonValue] = [*sorted(zone_names())]


class PdfQuery(Schema):
    # The schema lists the values (clients and schemathesis see them); the validators hold.
    language: str = Field(
        settings.LANGUAGE_CODE,
        description="The language of its words: one of Parley's languages.",
        examples=["es"],
        json_schema_extra={"enum": LANGUAGES},
    )
    time_zone: str = Field(
        "UTC",
        max_length=64,
        description="The IANA zone of its moments.",
        examples=["Europe/Lisbon"],
        json_schema_extra={"enum": ZONES},
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in dict(settings.LANGUAGES):
            raise ValueError(f"one of {', '.join(code for code, _ in settings.LANGUAGES)}")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_zone(value):
            raise ValueError("an IANA time zone name, such as Europe/Lisbon")
        return value


class PdfPending(Schema):
    status: str = Field(examples=["queued"])
    retry_after: int = Field(description="Seconds to wait before asking again.")


@router.get(
    "/cases/{reference}/case-file.pdf",
    response={202: PdfPending, 404: ProblemOut, 503: ProblemOut},
    summary="A case file as a PDF",
    openapi_extra=PDF_RESPONSE,
)
def get_case_file_pdf(
    request: HttpRequest, reference: str, wanted: Query[PdfQuery]
) -> HttpResponseBase:
    """The case file's content (the JSON case file's) printed for a chargeback response, a
    regulator or a court. A case with many photos is rendered in the background: the answer
    is then 202 with `Retry-After`; ask again until it is 200."""
    integration = caller(request).integration
    case = case_for(integration, reference)
    with translation.override(wanted.language), timezone.override(ZoneInfo(wanted.time_zone)):
        external_id = getattr(case, "order_external_id", None)
        content = build_case_file(case, audience="marketplace", order_external_id=external_id)
    digest = document_sha256(content)
    if renders_inline(len(content.evidence)):
        pdf = case_file_pdf(content, dispute=case, document_sha256=digest)
        return pdf_response(pdf, case.reference)
    asked = Asked(case, "marketplace", wanted.language, wanted.time_zone, integration=integration)
    export = export_request(asked, content=content.model_dump(mode="json"), digest=digest)
    if export.status == ExportStatus.READY:
        return FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=attachment_name(case.reference),
            content_type="application/pdf",
        )
    if export.status == ExportStatus.FAILED:
        raise Problem(503, "case_file_failed", "The PDF could not be made; ask again later.")
    return _pending()


def _pending() -> HttpResponse:
    body: dict[str, Any] = {"status": ExportStatus.QUEUED.value, "retry_after": RETRY_AFTER_SECONDS}
    response = JsonResponse(body, status=202)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


api.add_router("/", router)
