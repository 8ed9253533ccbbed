"""Disputes through real requests: opening with photos, answering, refusals, the case page."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disputes import selectors, services
from disputes.models import Dispute, DisputeState, Party, Refund, Remedy
from orders.models import OrderLine
from tests.factories import jpeg_upload, open_dispute, shipped_order

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _open_url(order):
    return reverse("disputes:open", kwargs={"reference": order.reference})


def _detail(dispute):
    return reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})


@pytest.fixture
def order(buyer, seller):
    return shipped_order(buyer=buyer, seller=seller)


def _claim(**overrides):
    # Every line of the (one) order claimed in full, as the line picker starts for one line.
    lines = {f"line_{pk}": n for pk, n in OrderLine.objects.values_list("pk", "quantity")}
    return (
        lines
        | {
            "reason": "damaged",
            "description": "The lid arrived cracked.",
            "remedy": "partial_refund",
            "amount": "20.00",
            "photos": [jpeg_upload("lid.jpg"), jpeg_upload("box.jpg", "red")],
        }
        | overrides
    )


def test_buyer_opens_a_dispute_with_two_photos(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim())
    dispute = Dispute.objects.get()
    assert response["Location"] == _detail(dispute)
    assert dispute.evidence.count() == 2
    assert sorted(dispute.evidence.values_list("original_name", flat=True)) == [
        "box.jpg",
        "lid.jpg",
    ]
    page = _text(client.get(_detail(dispute)))
    assert "Waiting for the seller's answer" in page
    assert "Partial refund of 20.00 USD" in page
    assert "you will be refunded 20.00 USD" in page
    assert "left" in page  # the countdown, rendered by the server


def test_a_bad_file_is_named_and_the_rest_of_the_form_is_kept(client, buyer, order):
    client.force_login(buyer)
    fake = SimpleUploadedFile("holiday.jpg", b"this is not an image", content_type="image/jpeg")
    response = client.post(_open_url(order), _claim(photos=[jpeg_upload(), fake]))
    assert response.status_code == 200
    html = _text(response)
    assert "holiday.jpg" in html and "is not a photo" in html
    assert "The lid arrived cracked." in html and 'value="20.00"' in html
    assert not Dispute.objects.exists()


def test_damaged_without_photo_is_refused_next_to_the_photos(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(photos=[]))
    assert "needs at least one photo" in str(response.context["form"].errors["photos"])
    assert not Dispute.objects.exists()


def test_amount_above_payment_is_refused_with_a_message(client, buyer, order):
    client.force_login(buyer)
    response = client.post(_open_url(order), _claim(amount="75.00"))
    assert "cannot be more than 50.00 USD" in _text(response)
    assert not Dispute.objects.exists()


def test_outside_the_window_the_buyer_sees_from_when(client, buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller, days_ago=1)
    client.force_login(buyer)
    page = _text(client.get(_open_url(order)))
    assert "You can open a dispute from" in page
    assert "Open dispute</button>" not in page
    client.post(_open_url(order), _claim())
    assert not Dispute.objects.exists()


def test_seller_sees_disputes_needing_an_answer_soonest_first(client, buyer, seller):
    older = open_dispute(buyer=buyer, seller=seller)
    newer = open_dispute(buyer=buyer, seller=seller)
    services.dispute_modify(
        dispute=older,
        actor=buyer,
        proposal=services.Proposal(Remedy.REPLACEMENT),
        now=older.opened_at + timedelta(days=3),
    )  # older's answer is now due later than newer's
    client.force_login(seller)
    rows = list(client.get(reverse("disputes:seller_list")).context["page"].object_list)
    assert rows == [newer, older]


def test_seller_rejects_with_counter_offer_then_buyer_accepts(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(seller)
    client.post(
        reverse("disputes:reject", kwargs={"dispute_ref": dispute.reference}),
        {
            "explanation": "Cosmetic only.",
            "counter_remedy": "partial_refund",
            "counter_amount": "8.00",
            "photos": [jpeg_upload("packing.jpg")],
        },
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_BUYER
    offer = selectors.current_offer(dispute, Party.SELLER)

    client.force_login(buyer)
    page = _text(client.get(_detail(dispute)))
    assert "Accept the seller's offer: Partial refund of 8.00 USD" in page
    client.post(
        reverse(
            "disputes:accept_offer", kwargs={"dispute_ref": dispute.reference, "offer_id": offer.pk}
        ),
        {"confirmed": "1"},
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.RESOLVED
    assert Refund.objects.get().amount == Decimal("8.00")
    page = _text(client.get(_detail(dispute)))
    assert "Partially refunded: 8.00 USD of 50.00 USD" in page
    assert "Buyer accepted the seller's offer" in page


def test_a_forged_post_for_an_action_not_offered_is_refused_with_a_message(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(buyer)
    response = client.post(reverse("disputes:escalate", kwargs={"dispute_ref": dispute.reference}))
    assert response.status_code == 409
    assert "This case changed" in _text(response)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_SELLER


def test_acting_on_a_case_someone_else_just_closed_is_a_409_not_a_500(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    claim = selectors.current_offer(dispute, Party.BUYER)  # what the seller's page shows
    services.dispute_cancel(dispute=dispute, actor=buyer)  # in another tab
    client.force_login(seller)
    response = client.post(
        reverse("disputes:seller_accept", kwargs={"dispute_ref": dispute.reference}),
        {"offer": claim.pk, "confirmed": "1"},
    )
    assert response.status_code == 409
    html = _text(response)
    assert "Withdrawn by the buyer" in html and "See the case as it is now" in html
    assert not Refund.objects.exists()


def test_only_offered_actions_are_shown(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(buyer)
    page = _text(client.get(_detail(dispute)))
    assert "Withdraw the dispute" in page and "Change my claim" in page
    assert "Accept the claim" not in page and "Ask Parley to decide" not in page
    client.force_login(seller)
    page = _text(client.get(_detail(dispute)))
    assert "Accept the claim" in page and "Reject with a counter-offer" in page
    assert "Withdraw the dispute" not in page


def test_messages_with_photos(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    client.force_login(seller)
    url = reverse("disputes:message", kwargs={"dispute_ref": dispute.reference})
    client.post(url, {"body": "Could you send a photo of the label?"})
    client.force_login(buyer)
    client.post(url, {"body": "Here it is.", "photos": [jpeg_upload("label.jpg")]})
    page = _text(client.get(_detail(dispute)))
    assert "Could you send a photo of the label?" in page and "Here it is." in page
    assert dispute.evidence.filter(message__isnull=False, party=Party.BUYER).count() == 1


def test_evidence_is_served_privately_to_parties_only(client, buyer, seller, other_buyer):
    dispute = open_dispute(buyer=buyer, seller=seller)
    item = dispute.evidence.get()
    url = reverse("disputes:evidence_file", kwargs={"public_id": item.public_id})
    client.force_login(seller)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    client.force_login(other_buyer)
    assert client.get(url).status_code == 404
