"""The rules in words: a public page per policy version, written from that version's numbers,
linked from every case page, which names the version its dispute is pinned to."""

from html import unescape

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from policies.models import Policy
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def _text(response):
    return unescape(response.content.decode())


def _new_version(**changes):
    current = Policy.current()
    values = model_to_dict(current, exclude=["id", "version", "created_by", "note"])
    return Policy.objects.create(version=current.version + 1, **{**values, **changes})


def test_the_policy_page_is_public_and_written_from_the_versions_numbers(client):
    first = Policy.current()
    second = _new_version(seller_answer_days=7, appeal_days=3)
    page = _text(client.get(reverse("policies:version", args=[second.version])))
    assert "Within 7 days of the dispute being opened or changed" in page
    assert "The buyer's claim is carried out" in page
    assert "Within 3 days of the ruling" in page
    assert "This is the version in force" in page
    old = _text(client.get(reverse("policies:version", args=[first.version])))
    assert f"Within {first.seller_answer_days} days of the dispute being opened" in old
    assert f"version {second.version}</a>" in old  # points to the newer one
    assert client.get(reverse("policies:version", args=[999999])).status_code == 404
    assert client.get("/policy/v99999999999999999999/").status_code == 404


def test_every_number_of_the_version_is_listed_with_its_meaning(client):
    policy = Policy.current()
    page = _text(client.get(reverse("policies:current")))
    assert "Days the seller has to answer a new or modified dispute." in page
    assert f"<strong>{policy.refund_arrival_business_days}</strong>" in page


def test_the_case_page_names_and_links_its_pinned_version(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    _new_version(seller_answer_days=9)  # a later version does not change this case's rules
    for person in (buyer, seller):
        client.force_login(person)
        page = _text(client.get(reverse("disputes:detail", args=[dispute.reference])))
        link = reverse("policies:version", args=[dispute.policy.version])
        assert f'<a href="{link}">rules: policy version {dispute.policy.version}</a>' in page
