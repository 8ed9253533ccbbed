"""Request bodies over PARLEY_MAX_REQUEST_BYTES are refused with a 413 before they are read
(hardening finding 8: a 300 MB upload was read in full before the form refused it)."""

import html

import pytest
from django.urls import reverse

from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

BOUNDARY = "multipart/form-data; boundary=BoUnDaRyStRiNg"


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def __init__(self) -> None:
        self.reads = 0

    def read(self, *args: object) -> bytes:
        self.reads += 1
        raise AssertionError("the request body was read")

    readline = read


@pytest.fixture
def message_url(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    return reverse("disputes:message", kwargs={"dispute_ref": dispute.reference})


def test_the_limit_is_a_full_submission_of_photos_and_a_megabyte(settings):
    evidence = settings.PARLEY_EVIDENCE
    expected = evidence["max_per_submission"] * evidence["max_bytes"] + 1024 * 1024
    assert settings.PARLEY_MAX_REQUEST_BYTES == expected == 101 * 1024 * 1024


def test_a_request_over_the_limit_gets_a_413_page_and_its_body_is_never_read(
    client, buyer, message_url
):
    client.force_login(buyer)
    body = UnreadableBody()

    response = client.generic(
        "POST",
        message_url,
        data=b"-",
        content_type=BOUNDARY,
        CONTENT_LENGTH=str(300 * 1024 * 1024),
        **{"wsgi.input": body},
    )

    assert response.status_code == 413
    assert response.templates[0].name == "errors/413.html"
    page = html.unescape(response.content.decode())
    assert "A form can send at most 101 MB, and this one was 300 MB" in page
    assert "Nothing you sent was saved" in page
    assert "My disputes" in page  # the portal's own header: the signed-in user's links
    assert body.reads == 0


def test_a_request_at_the_limit_goes_through(client, buyer, message_url, settings):
    settings.PARLEY_MAX_REQUEST_BYTES = 2_000
    client.force_login(buyer)

    response = client.post(message_url, {"body": "Still waiting for the seller."})

    assert response.status_code == 302


def test_a_smaller_limit_applies_to_every_form(client, buyer, message_url, settings):
    settings.PARLEY_MAX_REQUEST_BYTES = 2_000
    client.force_login(buyer)

    response = client.post(message_url, {"body": "x" * 3_000})

    assert response.status_code == 413


@pytest.mark.parametrize("declared", ["", "abc", "-5"])
def test_a_missing_or_bad_content_length_is_left_to_django(client, message_url, declared):
    # Django reads no body at all then (it treats the length as 0).
    response = client.generic("POST", message_url, data=b"", CONTENT_LENGTH=declared)

    assert response.status_code != 413
