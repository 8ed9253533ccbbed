"""The details of the buyer's and seller's pages that were seen wrong on the landed product:
choices the buyer must make, errors at their field, truthful labels, photos after an error,
ratings that belong to their dispute, the accepted offer marked, plurals, focus, email links."""

import html
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from disputes import services
from disputes.models import Dispute, Remedy
from notifications.delivery import email_message
from notifications.models import Notification
from tests.factories import (
    ArbiterFactory,
    jpeg_upload,
    open_dispute,
    photo,
    ruled_dispute,
    shipped_order,
)

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]


def _text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def _words(response) -> str:
    """The page's text as read, without its tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split())


def _open_url(order):
    return reverse("disputes:open", kwargs={"reference": order.reference})


def _detail(dispute):
    return reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})


@pytest.fixture
def order(buyer, seller):
    return shipped_order(buyer=buyer, seller=seller)


def _claim(**overrides):
    return {
        "reason": "damaged",
        "description": "The lid arrived cracked.",
        "remedy": "partial_refund",
        "amount": "20.00",
        "photos": [jpeg_upload("lid.jpg")],
    } | overrides


# --- The open-dispute form ------------------------------------------------------------------


def test_the_open_form_preselects_no_reason_and_no_remedy(client, buyer, order):
    client.force_login(buyer)
    form = client.get(_open_url(order)).context["form"]
    page = str(form)
    for name in ("reason", "remedy"):
        select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
        assert re.search(r'<option value="" selected>Choose…</option>', select), name
        assert select.count("selected") == 1


def test_leaving_reason_and_remedy_unchosen_is_refused_at_each_field(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(reason="", remedy=""))
    errors = response.context["form"].errors
    assert errors["reason"] == ["Choose what went wrong."]
    assert errors["remedy"] == ["Choose what would put it right."]
    assert not Dispute.objects.exists()


def test_a_negative_amount_gives_one_clear_error_at_the_field(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(amount="-5"))
    form = response.context["form"]
    assert form.errors["amount"] == ["Enter an amount above zero, like 12.50."]
    assert not form.non_field_errors()
    assert "Enter the amount you are asking for" not in _text(response)


def test_an_amount_above_what_can_be_refunded_is_refused_at_the_field(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(amount="75.00"))
    form = response.context["form"]
    assert form.errors["amount"] == [
        "The amount cannot be more than 50.00 USD, what was paid and not yet refunded."
    ]
    assert not form.non_field_errors()
    page = _text(response)
    assert 'id="id_amount_error"' in page  # next to the field, and listed in the summary
    assert '<a href="#id_amount">Refund amount: The amount cannot be more' in page


def test_the_same_holds_when_the_claim_is_changed(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(buyer)
    url = reverse("disputes:modify", kwargs={"dispute_ref": dispute.reference})
    response = client.post(url, {"remedy": "partial_refund", "amount": "-1"})
    assert response.context["form"].errors["amount"] == ["Enter an amount above zero, like 12.50."]
    response = client.post(url, {"remedy": "partial_refund", "amount": "99"})
    assert "cannot be more than 50.00 USD" in response.context["form"].errors["amount"][0]


def test_fields_some_choices_need_say_so_instead_of_optional(client, buyer, order):
    client.force_login(buyer)
    page = _words(client.get(_open_url(order)))
    assert "Refund amount (needed for a partial refund)" in page
    assert "Photos of the item and packaging (needed for “damaged” and “not as described”)" in page
    assert "(optional)" not in page


def test_after_an_error_the_photo_field_says_to_choose_them_again(client, buyer, order):
    client.force_login(buyer)
    page = _text(client.post(_open_url(order), _claim(description="")))
    assert "choose your photos again before you send" in page
    page = _text(
        client.post(_open_url(order), _claim(description="", reason="wrong_item", photos=[]))
    )
    assert "choose your photos again" not in page  # none were sent


def test_the_error_summary_takes_focus_with_a_script_and_no_inline_code(client, buyer, order):
    client.force_login(buyer)
    page = client.post(_open_url(order), _claim(amount="-5")).content.decode()
    assert re.search(
        r'<div class="[^"]*error-summary"[^>]*tabindex="-1"[^>]*data-error-summary', page
    )
    assert "js/error-summary.js" in page
    # CSP: no inline script (a JSON data block, the countdown's words, is data, not code)
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", page)
    assert " on" + "click=" not in page
    script = (ROOT / "static/js/error-summary.js").read_text()
    assert "[data-error-summary]" in script and ".focus()" in script


# --- The case page -------------------------------------------------------------------------------


def _ended_and_rated(buyer, seller, stars=4):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    services.rating_leave(dispute=dispute, buyer=buyer, stars=stars, comment="Quick and fair.")
    return dispute


def test_each_party_reads_the_rating_in_their_own_words(client, buyer, seller):
    dispute = _ended_and_rated(buyer, seller)
    client.force_login(buyer)
    assert "Your rating of the seller" in _text(client.get(_detail(dispute)))
    client.force_login(seller)
    page = _text(client.get(_detail(dispute)))
    assert "The buyer's rating of your store" in page
    assert "Your rating of the seller" not in page


def test_a_rating_shows_only_on_the_dispute_it_was_left_after(client, buyer, seller):
    first = _ended_and_rated(buyer, seller, stars=2)
    second = services.dispute_open(
        order=first.order,
        actor=buyer,
        reason="wrong_item",
        proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("5")),
        description="And the saucer is the wrong colour.",
        photos=[photo()],
    )
    services.dispute_seller_accept(dispute=second, actor=seller)
    client.force_login(buyer)
    page = _text(client.get(_detail(second)))
    assert "Quick and fair." not in page and "2 / 5" not in page
    assert "Rate the seller" in page
    client.post(reverse("disputes:rate", args=[second.reference]), {"stars": 5, "comment": ""})
    assert second.rating.stars == 5 and first.rating.stars == 2


def test_a_resolved_case_marks_the_accepted_claim_and_waits_for_no_counter_offer(
    client, buyer, seller
):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    client.force_login(buyer)
    page = _words(client.get(_detail(dispute)))
    assert "No counter-offer yet" not in page and "No counter-offer." in page
    assert "Partial refund of 20.00 USD accepted" in page


def test_the_accepted_counter_offer_is_marked(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("8"))
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="No.", counter=counter
    )
    offer = dispute.offers.get(party="seller")
    services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk)
    client.force_login(seller)
    page = _words(client.get(_detail(dispute)))
    assert "Partial refund of 8.00 USD accepted" in page
    assert "Partial refund of 20.00 USD accepted" not in page


def test_a_message_with_photos_counts_them_in_words(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_post_message(dispute=dispute, actor=buyer, body="One.", photos=[photo()])
    services.dispute_post_message(
        dispute=dispute, actor=buyer, body="Two.", photos=[photo(), photo("b.jpg")]
    )
    client.force_login(seller)
    page = _words(client.get(_detail(dispute)))
    assert "Message with 1 photo " in page
    assert "Message with 2 photos" in page
    assert "photo(s)" not in page


# --- Email links ---------------------------------------------------------------------------------


@override_settings(PARLEY_SITE_URL="http://127.0.0.1:8123")
def test_email_links_start_with_the_site_url(buyer):
    note = Notification(recipient=buyer, subject="S", body="B", url="/disputes/PD-X/")
    note.dedupe_key = "k"
    assert "http://127.0.0.1:8123/disputes/PD-X/" in email_message(note).body


def test_make_run_takes_the_site_url_from_the_port_it_serves_on():
    exports = [
        line
        for line in (ROOT / "scripts/run.sh").read_text().splitlines()
        if line.startswith("export ") and "PATH" not in line
    ]
    script = "\n".join([*exports, 'echo "$PARLEY_SITE_URL"'])

    def site_url(**env):
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
        return done.stdout.strip()

    assert site_url(WEB_PORT="8123") == "http://127.0.0.1:8123"
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(WEB_PORT="8123", PARLEY_SITE_URL="https://parley.example") == (
        "https://parley.example"
    )


def test_a_ruled_case_shows_the_arbiters_decision_as_the_accepted_offer(client, buyer, seller):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=ArbiterFactory(), amount="10")
    client.force_login(seller)
    page = _words(client.get(_detail(dispute)))
    assert "Arbiter's decision Partial refund of 10.00 USD accepted" in page
    assert "No counter-offer yet" not in page


def test_the_message_form_says_one_of_its_two_fields_is_needed(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(buyer)
    page = _words(client.get(_detail(dispute)))
    assert "Message (or add a photo)" in page and "Photos (or write a message)" in page
