"""Posting is limited per person and per client address (settings.PARLEY_RATE_LIMITS): the
request over a limit gets a friendly 429 page, nothing is stored, the typed text is given back,
and the window passing lets the person act again. Reading is never limited."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core import cache as core_cache
from disputes.models import Dispute, Message
from tests.factories import BuyerFactory, jpeg_upload, open_dispute, shipped_order
from tests.test_redis_down import redis_down  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

LIMITS = {
    "messages": {"label": "messages", "user": "3/10m", "address": "5/10m"},
    "disputes": {"label": "new disputes", "user": "1/h", "address": "5/h"},
    "offers": {"label": "changes to claims and answers", "user": "2/h", "address": "5/h"},
    "photos": {"label": "photo uploads", "user": "2/h", "address": "5/h"},
    "logins": {"label": "sign-in attempts", "address": "3/15m"},
}


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.PARLEY_RATE_LIMITS = LIMITS


@pytest.fixture
def dispute(buyer, seller):
    return open_dispute(buyer=buyer, seller=seller)


def _message(client, dispute, body, *, address="198.51.100.1", **data):
    url = reverse("disputes:message", kwargs={"dispute_ref": dispute.reference})
    return client.post(url, {"body": body, **data}, REMOTE_ADDR=address)


def test_the_message_over_the_limit_gets_the_friendly_page_and_is_not_stored(
    client, buyer, dispute
):
    client.force_login(buyer)
    for n in range(3):
        assert _message(client, dispute, f"message {n}").status_code == 302
    response = _message(client, dispute, "one too many, and I typed it all")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many messages for now" in page
    assert "not saved" in page
    assert "try again in about" in page
    assert int(response["Retry-After"]) <= 600
    # The text typed is given back, with a way back to the thread.
    assert "one too many, and I typed it all" in page
    assert reverse("disputes:detail", args=[dispute.reference]) + "#messages" in page
    assert list(dispute.messages.values_list("body", flat=True)) == [
        "message 0",
        "message 1",
        "message 2",
    ]


def test_another_person_on_the_case_is_not_limited_by_the_first(client, buyer, seller, dispute):
    client.force_login(buyer)
    for n in range(4):
        _message(client, dispute, f"buyer {n}", address="198.51.100.1")
    client.force_login(seller)
    assert _message(client, dispute, "seller answers", address="198.51.100.2").status_code == 302
    assert dispute.messages.filter(author=seller).count() == 1


def test_one_address_is_limited_across_the_accounts_behind_it(client, buyer, seller, dispute):
    client.force_login(buyer)
    for n in range(3):
        _message(client, dispute, f"buyer {n}", address="203.0.113.7")
    client.force_login(seller)
    for n in range(2):
        assert _message(client, dispute, f"seller {n}", address="203.0.113.7").status_code == 302
    response = _message(client, dispute, "from the same address", address="203.0.113.7")
    assert response.status_code == 429
    assert "Your connection has sent as many messages" in response.content.decode()
    # The same account from another address is still within its own limit.
    assert _message(client, dispute, "from home", address="198.51.100.9").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_address_limit(client, buyer, dispute, settings):
    settings.PARLEY_TRUSTED_PROXIES = 1
    settings.PARLEY_RATE_LIMITS = {**LIMITS, "messages": {**LIMITS["messages"], "user": "99/h"}}
    client.force_login(buyer)
    url = reverse("disputes:message", kwargs={"dispute_ref": dispute.reference})

    def post(forwarded):
        return client.post(
            url, {"body": "hi"}, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    # One client writes a new address of its own each time; the proxy appends the real one.
    statuses = [post(f"192.0.2.{n}, 203.0.113.9") for n in range(6)]
    assert statuses == [302] * 5 + [429]
    # Another client behind the same proxy is counted apart.
    assert post("198.51.100.4") == 302


def test_after_the_window_the_person_can_post_again(client, buyer, dispute):
    client.force_login(buyer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(3):
            _message(client, dispute, f"message {n}")
        refused = _message(client, dispute, "too soon")
        assert refused.status_code == 429
        retry_after = int(refused["Retry-After"])
    with time_machine.travel(start + timedelta(seconds=retry_after + 1), tick=False):
        assert _message(client, dispute, "later").status_code == 302
    assert dispute.messages.filter(body="later").exists()
    assert not dispute.messages.filter(body="too soon").exists()


def test_reading_the_case_is_never_limited(client, buyer, dispute):
    client.force_login(buyer)
    for n in range(3):
        _message(client, dispute, f"message {n}")
    for _ in range(10):
        assert client.get(reverse("disputes:detail", args=[dispute.reference])).status_code == 200


def _lines(order):
    """Every line of the order claimed in full (the forms ask which items a claim is about)."""
    return {f"line_{line.pk}": str(line.quantity) for line in order.lines.all()}


def test_opening_disputes_is_limited_per_person(client, buyer, seller):
    client.force_login(buyer)
    orders = [shipped_order(buyer=buyer, seller=seller) for _ in range(2)]
    data = {"reason": "not_received", "remedy": "full_refund", "description": "Never came."}
    for order in orders:
        url = reverse("disputes:open", kwargs={"reference": order.reference})
        response = client.post(url, data | _lines(order), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    assert "Too many new disputes for now" in response.content.decode()
    assert "Never came." in response.content.decode()
    assert Dispute.objects.filter(order__in=orders).count() == 1
    # The form page itself still opens, to try again later.
    assert client.get(url).status_code == 200


def test_photo_uploads_are_limited_across_acts(client, buyer, dispute):
    client.force_login(buyer)
    for n in range(2):
        response = _message(client, dispute, f"photo {n}", photos=[jpeg_upload()])
        assert response.status_code == 302
    response = _message(client, dispute, "a third photo", photos=[jpeg_upload()])
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many photo uploads for now" in page
    assert "attach them again" in page
    assert not dispute.messages.filter(body="a third photo").exists()


def test_changing_the_claim_is_limited(client, buyer, dispute):
    client.force_login(buyer)
    url = reverse("disputes:modify", kwargs={"dispute_ref": dispute.reference})
    offers_before = dispute.offers.count()
    statuses = [
        client.post(
            url,
            {"remedy": "partial_refund", "amount": f"{10 + n}", "note": f"try {n}"}
            | _lines(dispute.order),
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert dispute.offers.count() == offers_before + 2


def test_sign_in_attempts_are_limited_per_address_across_accounts(client, buyer):
    others = [BuyerFactory(username=f"guess{n}") for n in range(3)]
    for user in others:
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": "bea", "password": "pw-for-tests"})
    assert response.status_code == 429
    assert "Too many sign-in attempts for now" in response.content.decode()
    # Another address signs in.
    other = client.post(
        reverse("login"), {"username": "bea", "password": "pw-for-tests"}, REMOTE_ADDR="192.0.2.8"
    )
    assert other.status_code == 302


def test_with_the_cache_down_messages_are_still_accepted(client, buyer, dispute, redis_down):  # noqa: F811
    client.force_login(buyer)
    for n in range(5):
        assert _message(client, dispute, f"message {n}").status_code == 302
    assert Message.objects.filter(dispute=dispute).count() == 5
    assert not core_cache.available()
