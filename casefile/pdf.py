"""The case file as a PDF: WeasyPrint renders an HTML template that fetches nothing from outside.

What a case holds was typed by people (messages, claims, reasons, photo names): the template
escapes it, so it is text in the document and never markup; and, should any markup ever slip
through, the renderer's only way out is `OwnFilesFetcher`, which serves two kinds of address
the template writes itself and refuses every other (http, https, file, ftp, data, ...):

- `parley-static:<path>`: a file of the app's static files (the print stylesheet), found as
  `{% static %}` would find it;
- `parley-evidence:<public id>`: the thumbnail of one photo of the case being rendered, read
  from the app's storage. The fetcher is given the case's own photos, so a photo of another
  case cannot be named into the document.

Fonts come from the system (DejaVu Sans, which has Cyrillic), never from a URL.
"""

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from PIL import ImageFile
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from disputes.models import Dispute, EvidenceItem

from .schemas import CaseFile

logger = logging.getLogger(__name__)

# Importing WeasyPrint (its `images` module) switches Pillow, for the whole process, to decode
# truncated files by filling them with grey. Every web process imports this module (the case
# pages' URLs), and the evidence pipeline refuses to decode anything with that switch on
# (evidence must be whole: disputes/evidence.py): put it back. The thumbnails rendered here
# are whole JPEGs of our own making.
ImageFile.LOAD_TRUNCATED_IMAGES = False

STATIC = "parley-static"
EVIDENCE = "parley-evidence"
STYLESHEET = "css/case-file.css"


class Refused(ValueError):
    """An address the case file may not fetch. WeasyPrint catches it, warns and goes on: the
    resource is left out, the document is still made."""


class OwnFilesFetcher(URLFetcher):
    """Serves the app's static files and the given photos' thumbnails; refuses (and logs)
    every other address. Nothing here opens a socket or reads a path it was handed."""

    def __init__(self, *, thumbnails: Mapping[str, str], storage: Storage | None = None) -> None:
        super().__init__(allowed_protocols=(STATIC, EVIDENCE), allow_redirects=False)
        self.thumbnails = dict(thumbnails)  # public id -> name in storage
        self.storage = storage or default_storage

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        scheme, _, rest = url.partition(":")
        if scheme == STATIC:
            return self._static(url, rest)
        if scheme == EVIDENCE and rest in self.thumbnails:
            return self._stored(url, self.thumbnails[rest])
        logger.warning("case file: refused to fetch %r", url[:300])
        raise Refused(f"Not the app's own file: {url[:300]}")

    def _static(self, url: str, path: str) -> URLFetcherResponse:
        # Relative and inside the static files only: no root, no "..", no drive or backslash.
        if not path or path.startswith("/") or "\\" in path or ".." in Path(path).parts:
            logger.warning("case file: refused static path %r", path[:300])
            raise Refused(f"Not a static file: {path[:300]}")
        try:
            found = finders.find(path)
        except SuspiciousFileOperation:
            found = None
        if isinstance(found, str):
            body = Path(found).read_bytes()
        elif staticfiles_storage.exists(path):  # collected (production): no source folders
            with staticfiles_storage.open(path) as file:
                body = file.read()
        else:
            logger.warning("case file: no static file %r", path[:300])
            raise Refused(f"No static file {path[:300]}")
        return _response(url, body, path)

    def _stored(self, url: str, name: str) -> URLFetcherResponse:
        with self.storage.open(name) as file:
            body = file.read()
        return _response(url, body, name)


def _response(url: str, body: bytes, name: str) -> URLFetcherResponse:
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, headers={"Content-Type": content_type})


def stylesheet_address() -> str:
    return f"{STATIC}:{STYLESHEET}"


def html_to_pdf(html: str, *, thumbnails: Mapping[str, str], **options: Any) -> bytes:
    """The PDF of `html`, which may name only the stylesheet and these thumbnails."""
    fetcher = OwnFilesFetcher(thumbnails=thumbnails)
    document = HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(**options)
    return pdf


def thumbnails_of(dispute: Dispute, public_ids: set[str]) -> dict[str, str]:
    """The storage names of these photos' thumbnails, of this case's photos only."""
    rows = EvidenceItem.objects.filter(dispute=dispute).values_list("public_id", "thumbnail")
    return {str(key): name for key, name in rows if str(key) in public_ids}


def case_file_pdf(case: CaseFile, *, dispute: Dispute, document_sha256: str) -> bytes:
    """The printed case file of `dispute`, in the words and zone it was built in
    (`case.language`, `case.time_zone`); `document_sha256` is the JSON document's, from its
    manifest. Only the thumbnails of the photos in `case` can be fetched."""
    thumbnails = thumbnails_of(dispute, {item.id for item in case.evidence})
    context = {
        "case": case,
        "document_sha256": document_sha256,
        "stylesheet": stylesheet_address(),
        "evidence_scheme": EVIDENCE,
    }
    with translation.override(case.language), timezone.override(ZoneInfo(case.time_zone)):
        html = render_to_string("casefile/case_file.html", context)
    return html_to_pdf(html, thumbnails=thumbnails)
