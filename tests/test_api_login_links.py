"""Login links: one-time, short-lived, for the integration's own users; a GET shows a button
(link scanners only GET), its POST signs in and lands on the case or home page."""

import logging
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


def _logged(caplog) -> list[str]:
    name = "integration.services.login_links"
    return [record.getMessage() for record in caplog.records if record.name == name]


def test_each_issue_use_and_refused_use_is_logged(client, bo, caplog, settings):
    settings.PARLEY_LOGIN_LINK_MINUTES = 5
    with caplog.at_level(logging.INFO, logger="integration.services.login_links"):
        used, late = _link(client, bo), _link(client, bo)
        client.post(used)
        client.logout()
        client.post(used)
        with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
            client.post(late)
    first, second = LoginLink.objects.order_by("pk")
    user = first.user_id
    assert _logged(caplog) == [
        f"login link {first.pk} issued for user {user} by Bazaar",
        f"login link {second.pk} issued for user {user} by Bazaar",
        f"login link {first.pk} used by user {user}",
        f"login link {first.pk} used again",
        f"login link {second.pk} used after it expired",
    ]


def test_staff_see_every_link_issued_and_when_it_was_used_never_its_token(client, bo, admin_client):
    url = _link(client, bo)
    client.post(url)
    link = LoginLink.objects.get()
    listing = admin_client.get(reverse("admin:integration_loginlink_changelist")).content.decode()
    assert link.user.username in listing and "Bazaar" in listing
    detail = admin_client.get(reverse("admin:integration_loginlink_change", args=[link.pk]))
    assert detail.status_code == 200 and link.digest not in detail.content.decode()
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert token not in listing and token not in detail.content.decode()
