"""Login links: one-time, short-lived, for the integration's own users; a GET shows a button
(link scanners only GET), its POST signs in and lands on the case or home page."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from integration.models import IdempotencyRecord, LoginLink, RefKind
from tests.api_helpers import BUYER, market
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


@pytest.fixture
def m():
    return market("Bazaar")


def _link(client, m, **body):
    response = m.post(client, "/login-links", {"user": "b-1", **body})
    assert response.status_code == 201, response.json()
    return response.json()["url"].removeprefix("http://127.0.0.1:8000")


def _signed_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def bo(client, m):
    m.post(client, "/users", BUYER)
    return m


def test_opening_the_link_shows_a_button_and_signs_in_nobody(client, bo):
    url = _link(client, bo)
    page = client.get(url)
    assert page.status_code == 200 and b"Sign in" in page.content
    assert _signed_in_as(client) is None
    assert LoginLink.objects.get().used_at is None


def test_its_button_signs_the_user_in_once(client, bo):
    url = _link(client, bo)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = LoginLink.objects.get().user
    assert _signed_in_as(client) == str(user.pk)
    client.logout()
    again = client.post(url)
    assert again.status_code == 410 and b"already used" in again.content
    assert _signed_in_as(client) is None


@pytest.mark.parametrize("late", [False, True])
def test_it_expires_after_the_settings_minutes(client, bo, settings, late):
    settings.PARLEY_LOGIN_LINK_MINUTES = 5
    issued = timezone.now()
    with time_machine.travel(issued, tick=False):
        url = _link(client, bo)
    edge = issued + timedelta(minutes=5)
    with time_machine.travel(edge if late else edge - SECOND, tick=False):
        response = client.post(url)
    if late:
        assert response.status_code == 410 and b"expired" in response.content
        assert _signed_in_as(client) is None
    else:
        assert response.status_code == 302 and _signed_in_as(client) is not None


def test_a_link_lands_on_the_users_case(client, bo, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    bo.owns(RefKind.ORDER, dispute.order, "o-1")
    bo.owns(RefKind.USER, buyer, "b-2")
    url = _link(client, bo, user="b-2", case=dispute.reference)
    response = client.post(url)
    assert response["Location"] == reverse("disputes:detail", args=[dispute.reference])


def test_a_case_of_someone_else_is_not_found(client, bo, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    bo.owns(RefKind.ORDER, dispute.order, "o-1")
    response = bo.post(client, "/login-links", {"user": "b-1", "case": dispute.reference})
    assert response.status_code == 404 and not LoginLink.objects.exists()


def test_another_integrations_user_is_not_found(client, bo):
    other = market("Agora")
    response = other.post(client, "/login-links", {"user": "b-1"})
    assert response.status_code == 404 and not LoginLink.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_token_is_a_clear_page(client, method):
    response = getattr(client, method)(reverse("integration:login_link", args=["nonsense"]))
    assert response.status_code == 410 and b"not valid" in response.content
    assert _signed_in_as(client) is None


def test_only_the_tokens_digest_is_kept(client, bo):
    url = _link(client, bo)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    link = LoginLink.objects.get()
    assert token not in link.digest and link.digest == LoginLink.digest_of(token)


def test_a_retried_request_makes_another_link_and_no_token_is_kept_in_clear(client, bo):
    headers = bo.headers("same-key")
    urls = [
        client.post(
            "/api/v1/login-links", {"user": "b-1"}, content_type="application/json", headers=headers
        ).json()["url"]
        for _ in range(2)
    ]
    assert urls[0] != urls[1]
    assert not IdempotencyRecord.objects.exists()
