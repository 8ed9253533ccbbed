"""What a person typed is kept as written, with the language they wrote it in: the claim, each
message and each ruling record it, and the arbiter's case page names it in the arbiter's own
language."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from arbitration import services as arbitration
from core.languages import active_language
from disputes import services
from disputes.models import Message, Remedy
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def test_the_active_language_is_one_parley_offers():
    assert active_language() == "en"
    with translation.override("pt-BR"):
        assert active_language() == "pt-br"
    with translation.override("es-mx"):
        assert active_language() == "es"  # the variant Parley has
    with translation.override("de"):
        assert active_language() == "en"  # not offered: the site's default


def _escalated_in_spanish_and_russian(buyer, seller, arbiter):
    """The buyer writes in Spanish, the seller answers in Russian, the arbiter takes it."""
    with translation.override("es"):
        dispute = open_dispute(buyer=buyer, seller=seller)
    with translation.override("ru"):
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="Нет.")
    with translation.override("es"):
        dispute = services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
        services.dispute_post_message(dispute=dispute, actor=buyer, body="La tapa llegó rota.")
    arbitration.case_take_next(arbiter=arbiter)
    return dispute


def test_each_typed_text_records_its_language(buyer, seller, arbiter):
    dispute = _escalated_in_spanish_and_russian(buyer, seller, arbiter)
    dispute.refresh_from_db()
    assert dispute.description_language == "es"
    said = {m.body: m.language for m in Message.objects.filter(dispute=dispute)}
    assert said == {"Нет.": "ru", "La tapa llegó rota.": "es"}
    with translation.override("pt-br"):
        decision = arbitration.Decision(
            outcome="partial_refund",
            rationale="A tampa chegou quebrada.",
            policy_clause="damaged",
            amount=Decimal("10"),
        )
    ruling = arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    assert ruling.language == "pt-br"  # as it was written, not when it was carried out


def test_an_evidence_request_is_written_in_the_arbiters_language(buyer, seller, arbiter):
    dispute = _escalated_in_spanish_and_russian(buyer, seller, arbiter)
    arbitration.case_request_evidence(
        dispute=dispute, arbiter=arbiter, party="seller", request="A photo of the box.", hours=48
    )
    message = Message.objects.filter(dispute=dispute).latest("id")
    assert (message.body, message.language) == (
        "Parley arbiter to the seller: A photo of the box.",
        "en",
    )


def test_the_case_page_names_each_messages_language(client, buyer, seller, arbiter):
    dispute = _escalated_in_spanish_and_russian(buyer, seller, arbiter)
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
    assert page.count("written in Spanish") == 2  # the claim and the buyer's message
    assert page.count("written in Russian") == 1  # the seller's answer
    assert '<p class="prewrap" lang="ru">Нет.</p>' in page


def test_the_language_is_named_in_the_arbiters_language(client, buyer, seller, arbiter):
    dispute = _escalated_in_spanish_and_russian(buyer, seller, arbiter)
    arbiter.language = "ru"
    arbiter.save(update_fields=["language"])
    client.force_login(arbiter)
    with translation.override("ru"):
        page = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
    # Django's own catalogue names the languages; "written in" is ours, translated later.
    assert "испанский" in page.lower()


def test_text_from_before_says_no_language(client, buyer, seller, arbiter):
    dispute = _escalated_in_spanish_and_russian(buyer, seller, arbiter)
    Message.objects.filter(dispute=dispute).update(language="")
    dispute.__class__.objects.filter(pk=dispute.pk).update(description_language="")
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
    assert "written in" not in page
    assert "La tapa llegó rota." in page


def test_a_ruling_shows_its_language_to_the_arbiter(client, buyer, seller, arbiter):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal(20))
    )
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    dispute = services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    with translation.override("es"):
        decision = arbitration.Decision(
            outcome="claim_rejected", rationale="Las fotos no lo muestran.", policy_clause="damaged"
        )
    arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[dispute.reference])).content.decode()
    assert "written in Spanish" in page
    assert 'lang="es">Las fotos no lo muestran.</p>' in page
