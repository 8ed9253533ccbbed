"""The case file's PDF on the case pages: downloaded at once for a small case, prepared by a
worker for a big one (a page that says so, then offers the download)."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import AuthenticatedRequest

from .content import build_case_file
from .exports import Asked, export_for_viewer, export_request, renders_inline
from .manifest import document_digest
from .models import CaseFileExport, ExportStatus
from .pdf import case_file_pdf
from .ready import ready_url
from .selectors import case_for_viewer

# A page that is waiting for the worker asks the browser to load it again (no JavaScript).
REFRESH_SECONDS = 5


def attachment_name(reference: str) -> str:
    return f"case-file-{reference}.pdf"


def pdf_response(pdf: bytes, reference: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attachment_name(reference)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_file_pdf_view(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """The PDF of the case as it stands for this viewer, or the page of its export."""
    dispute, audience = case_for_viewer(request.user, dispute_ref)
    case = build_case_file(dispute, audience=audience)
    digest = document_digest(case)
    if renders_inline(len(case.evidence)):
        pdf = case_file_pdf(case, dispute=dispute, document_sha256=digest)
        return pdf_response(pdf, dispute.reference)
    asked = Asked(
        dispute=dispute,
        audience=audience,
        language=case.language,
        time_zone=case.time_zone,
        requested_by_id=request.user.pk,
    )
    export = export_request(asked, content=case.model_dump(mode="json"), digest=digest)
    return redirect(ready_url(export))


@login_required
def export_page(request: AuthenticatedRequest, dispute_ref: str, public_id: UUID) -> HttpResponse:
    """"Preparing your case file… refresh this page", then its download link."""
    export = export_for_viewer(request.user, dispute_ref, public_id)
    context = {
        "export": export,
        "dispute": export.dispute,
        "case_url": case_page_url(export),
        "pdf_url": reverse("casefile:pdf", args=[dispute_ref]),
    }
    response = render(request, "casefile/export.html", context)
    if export.status == ExportStatus.QUEUED:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
def export_download(
    request: AuthenticatedRequest, dispute_ref: str, public_id: UUID
) -> FileResponse:
    export = export_for_viewer(request.user, dispute_ref, public_id, ready=True)
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=attachment_name(export.dispute.reference),
        content_type="application/pdf",
    )


def case_page_url(export: CaseFileExport) -> str:
    if export.audience == "staff":
        return reverse("arbitration:case", args=[export.dispute.reference])
    return reverse("disputes:detail", args=[export.dispute.reference])
