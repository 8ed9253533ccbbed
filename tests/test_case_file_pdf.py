"""The printed case file (casefile/pdf.py), read back with pypdf: every section of a case that
went through appeal, in the reader's language and zone, a party's file without staff's
content. Rendering costs seconds here, so the case is built and each PDF rendered once for the
module (in a transaction rolled back at the end), and the tests read the texts."""

import io
from dataclasses import dataclass

import pytest
from django.db import transaction
from pypdf import PdfReader

from accounts.personal import speaking_to
from casefile.content import build_case_file
from casefile.exports import document_sha256
from casefile.pdf import case_file_pdf
from casefile.schemas import Audience, CaseFile
from core import moments
from tests.case_file_helpers import appealed_case
from tests.factories import ArbiterFactory, BuyerFactory, SellerFactory

# The module's PDFs are made once (below); the marker has pytest-django set up the database.
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Printed:
    case: CaseFile
    digest: str
    pdf: bytes
    text: str

    @property
    def squeezed(self) -> str:
        """The text without any whitespace: a hash broken across lines reads whole."""
        return "".join(self.text.split())


def _printed(dispute, audience: Audience, reader=None) -> Printed:
    if reader is None:
        case = build_case_file(dispute, audience=audience)
    else:
        with speaking_to(reader):
            case = build_case_file(dispute, audience=audience)
    digest = document_sha256(case)
    pdf = case_file_pdf(case, dispute=dispute, document_sha256=digest)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return Printed(case, digest, pdf, text)


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        buyer = BuyerFactory(username="bea", language="es", time_zone="America/Mexico_City")
        seller, arbiter = SellerFactory(username="sid"), ArbiterFactory(username="ada")
        dispute = appealed_case(buyer=buyer, seller=seller, arbiter=arbiter)
        files = {
            "staff": _printed(dispute, "staff"),
            "buyer": _printed(dispute, "buyer"),
            "buyer_es": _printed(dispute, "buyer", reader=buyer),
        }
        with speaking_to(buyer):
            files["buyer_es_moment"] = moments.moment(files["buyer_es"].case.claim.opened_at)
        transaction.set_rollback(True)
    return files


def test_the_pdf_of_a_case_decided_on_appeal_holds_every_section(printed):
    staff = printed["staff"]
    text, case = staff.text, staff.case
    assert staff.pdf.startswith(b"%PDF")
    headings = [
        "Order and payment",
        "Claim and items",
        "Claims and offers, with their history",
        "Messages",
        "Evidence",
        "Timeline",
        "Ruling",
        "Appeal",
        "Ledger",
        "Policy",
    ]
    at = 0
    for heading in headings:  # each section, in the order
        at = text.find(f"\n{heading}\n", at)
        assert at >= 0, f"no section {heading!r} after the one before"
    assert f"Case file {case.reference}" in text
    assert case.order.reference in text
    assert "The photos show the crack." in text  # the ruling's reasons
    assert case.appeal is not None and case.appeal.decision is not None
    assert "".join(case.appeal.decision.policy_clause_label.split()) in staff.squeezed
    assert "It is broken beyond use." in text  # the appeal's statement
    assert "Here is the box." in text  # a message
    assert "box.jpg" in text
    for item in case.evidence:  # every photo's hash, and who sent it
        assert item.sha256 in staff.squeezed
    assert "Evidence cited" in text
    clock_acts = [event for event in case.timeline if event.actor == "system" and event.ran_at]
    assert clock_acts, "the clock escalated the case"
    assert "".join(clock_acts[0].text.split()) in staff.squeezed
    assert "Due " in text and "Carried out " in text
    assert "50.00 USD" in text  # the ledger: paid in full, refunded in full on appeal
    assert f"policy version {case.policy.version}" in text
    assert staff.digest in staff.squeezed  # the JSON document's hash, to verify against


def test_a_spanish_speaking_buyer_reads_it_in_spanish_in_their_zone(printed):
    spanish = printed["buyer_es"]
    assert spanish.case.language == "es"
    assert "Pedido y pago" in spanish.text and "Order and payment" not in spanish.text
    assert f"Expediente {spanish.case.reference}" in spanish.text
    assert printed["buyer_es_moment"] in spanish.text  # opened, on the buyer's clock
    assert "Ciudad de México" in printed["buyer_es_moment"]


def test_a_buyers_pdf_has_no_staff_only_content(printed):
    staff, buyer = printed["staff"], printed["buyer"]
    assert staff.case.staff is not None and buyer.case.staff is None
    assert "For Parley's arbiters and staff" in staff.text
    assert "For Parley's arbiters and staff" not in buyer.text
    assert "Buyer's history" not in buyer.text and "Held by" not in buyer.text
    payment = staff.case.order.payment
    assert payment is not None and payment.provider_reference
    assert payment.provider_reference in staff.text
    assert payment.provider_reference not in buyer.text
    assert "written in Spanish" in staff.text and "written in Spanish" not in buyer.text
    # What the buyer's case page shows them is all there.
    assert "The photos show the crack." in buyer.text and "Here is the box." in buyer.text
