"""The case file's PDF on the case pages: downloaded at once for a small case, prepared by a
worker for a big one (a page that says so, then offers the download)."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest
from disputes.models import Dispute

from .content import build_case_file
from .exports import (
    Asked,
    document_sha256,
    export_for_viewer,
    export_found,
    export_request,
    renders_inline,
)
from .models import ExportStatus
from .pdf import case_file_pdf
from .ready import ready_url
from .schemas import CaseFile
from .selectors import case_for_viewer

# A page that is waiting for the worker asks the browser to load it again (no JavaScript).
REFRESH_SECONDS = 5


def attachment_name(reference: str) -> str:
    return f"{reference}-case-file.pdf"  # beside {reference}-case-file.json and -evidence.zip


def pdf_response(pdf: bytes, reference: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{attachment_name(reference)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_file_pdf_view(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """The PDF of the case as it stands for this viewer; for a big case, the export already
    asked for, or a page that offers to prepare it. Reads only."""
    dispute, audience = case_for_viewer(request.user, dispute_ref)
    case = build_case_file(dispute, audience=audience)
    if renders_inline(len(case.evidence)):
        pdf = case_file_pdf(case, dispute=dispute, document_sha256=document_sha256(case))
        return pdf_response(pdf, dispute.reference)
    found = export_found(_asked(request, dispute, audience, case), case.model_dump(mode="json"))
    if found is not None:
        return redirect(ready_url(found))
    context = {"dispute": dispute, "case": case, "case_url": _case_url(audience, dispute)}
    return render(request, "casefile/prepare.html", context)


@login_required
@require_POST
def prepare_export(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """Ask the worker for this case's PDF (the case as it stands now, in the asker's words)."""
    dispute, audience = case_for_viewer(request.user, dispute_ref)
    case = build_case_file(dispute, audience=audience)
    asked = _asked(request, dispute, audience, case)
    content = case.model_dump(mode="json")
    export = export_request(asked, content=content, digest=document_sha256(case))
    return redirect(ready_url(export))


def _asked(request: AuthenticatedRequest, dispute: Dispute, audience: str, case: CaseFile) -> Asked:
    return Asked(
        dispute=dispute,
        audience=audience,
        language=case.language,
        time_zone=case.time_zone,
        requested_by_id=request.user.pk,
    )


@login_required
def export_page(request: AuthenticatedRequest, dispute_ref: str, public_id: UUID) -> HttpResponse:
    """ "Preparing your case file… refresh this page", then its download link."""
    export = export_for_viewer(request.user, dispute_ref, public_id)
    context = {
        "export": export,
        "dispute": export.dispute,
        "case_url": _case_url(export.audience, export.dispute),
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


def _case_url(audience: str, dispute: Dispute) -> str:
    """The case page the reader came from: the arbiter's, or their party's."""
    if audience == "staff":
        return reverse("arbitration:case", args=[dispute.reference])
    return reverse("disputes:detail", args=[dispute.reference])
