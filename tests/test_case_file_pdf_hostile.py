"""What people typed never makes the PDF renderer fetch anything: markup in a message, a
`file://` link, a remote URL, HTML in a photo's name all come out as text, and the only
addresses the renderer asks for are the app's stylesheet and the case's own thumbnails."""

import io
import urllib.request

import pytest
from PIL import ImageFile
from pypdf import PdfReader

from casefile import pdf
from casefile.content import build_case_file
from casefile.pdf import EVIDENCE, STATIC, OwnFilesFetcher, Refused, case_file_pdf
from disputes import services
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db

REMOTE_IMAGE = '<img src="http://example.com/x.png">'
LOCAL_FILE = '<link rel="stylesheet" href="file:///etc/passwd">'
REMOTE_TEXT = "See https://example.com/track?id=1 and //example.org/y.css"
PHOTO_NAME = '"><img src=x onerror=alert(1)>.jpg'


@pytest.fixture
def fetched(monkeypatch):
    """Every address the renderer asks for; and any real opening of a URL fails the test."""
    asked: list[str] = []
    fetch = OwnFilesFetcher.fetch

    def recording(self, url, headers=None):
        asked.append(url)
        return fetch(self, url, headers)

    def no_network(self, *args, **kwargs):
        raise AssertionError(f"the renderer opened a URL: {args[:1]}")

    monkeypatch.setattr(OwnFilesFetcher, "fetch", recording)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    return asked


def test_hostile_text_and_file_names_are_printed_as_text_and_fetch_nothing(buyer, seller, fetched):
    dispute = open_dispute(buyer=buyer, seller=seller, photos=[photo(PHOTO_NAME)])
    body = "\n".join([REMOTE_IMAGE, LOCAL_FILE, REMOTE_TEXT])
    services.dispute_post_message(dispute=dispute, actor=buyer, body=body)
    case = build_case_file(dispute, audience="buyer")

    document = case_file_pdf(case, dispute=dispute, document_sha256="0" * 64)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    squeezed = "".join(text.split())
    for typed in (REMOTE_IMAGE, LOCAL_FILE, REMOTE_TEXT, PHOTO_NAME):
        assert "".join(typed.split()) in squeezed
    (item,) = case.evidence
    assert fetched == [f"{STATIC}:css/case-file.css", f"{EVIDENCE}:{item.id}"]


def test_photos_are_still_accepted_once_the_renderer_is_loaded():
    # WeasyPrint's import switches Pillow to accept truncated images; casefile.pdf switches it
    # back, or the evidence pipeline would refuse every upload in a process that renders PDFs.
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert photo("after.jpg").sha256


def test_the_fetcher_refuses_every_address_but_the_apps_own_files(buyer, seller, caplog):
    dispute = open_dispute(buyer=buyer, seller=seller)
    ids = {str(item.public_id) for item in dispute.evidence.all()}
    thumbnails = pdf.thumbnails_of(dispute, ids)
    fetcher = OwnFilesFetcher(thumbnails=thumbnails)
    (public_id,) = thumbnails
    assert fetcher.fetch(f"{EVIDENCE}:{public_id}").read()[:2] == b"\xff\xd8"  # a JPEG
    assert b"@page" in fetcher.fetch(f"{STATIC}:css/case-file.css").read()
    other = open_dispute(buyer=buyer, seller=seller).evidence.get().public_id
    for address in (
        "http://example.com/x.png",
        "https://example.com/x.css",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "data:image/png;base64,iVBORw0KGgo=",
        f"{EVIDENCE}:{other}",  # another case's photo
        f"{STATIC}:../../config/settings.py",
        f"{STATIC}:/etc/passwd",
    ):
        with pytest.raises(Refused):
            fetcher.fetch(address)
    assert "refused to fetch 'http://example.com/x.png'" in caplog.text
