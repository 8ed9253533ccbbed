"""The buyer of a case decided on appeal downloads its PDF from the case page, in Chromium; the
case page's "Case file" box is photographed on a phone and on a desktop (var/screenshots/)."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.case_file_helpers import appealed_case
from tests.factories import ArbiterFactory, BuyerFactory, SellerFactory

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests")
    page.get_by_role("button", name="Sign in").click()


def _shot_of_box(page: Page, width: int, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    box = page.locator("#case-file")
    box.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=SCREENSHOTS / f"{name}.png")


def _first_page_as_png(pdf: Path) -> None:
    """Page 1 of the PDF as a picture, where poppler's pdftoppm is installed."""
    if shutil.which("pdftoppm") is None:
        return
    target = SCREENSHOTS / "case-file-pdf-page-1"
    command = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run([*command, str(pdf), str(target)], check=True)


def test_the_buyer_downloads_the_pdf_of_a_resolved_case(page: Page, live_server):
    buyer = BuyerFactory(username="bea")
    dispute = appealed_case(
        buyer=buyer, seller=SellerFactory(username="sid"), arbiter=ArbiterFactory(username="ada")
    )
    assert dispute.state == "resolved"
    _sign_in(page, live_server.url, "bea")
    page.goto(f"{live_server.url}/disputes/{dispute.reference}/")
    box = page.locator("#case-file")
    expect(box.get_by_role("heading", name="Case file")).to_be_visible()
    _shot_of_box(page, 375, "case-file-box-375")
    _shot_of_box(page, 1280, "case-file-box-desktop")

    with page.expect_download() as info:
        box.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"{dispute.reference}-case-file.pdf"
    pdf = SCREENSHOTS / download.suggested_filename
    download.save_as(pdf)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert f"Case file {dispute.reference}" in text
    assert "The photos show the crack." in text and "For Parley's arbiters" not in text
    _first_page_as_png(pdf)
