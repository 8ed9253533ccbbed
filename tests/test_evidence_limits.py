"""Evidence per case: at most PARLEY_EVIDENCE["max_per_dispute"] photos, both parties together
(hardening finding 8: nothing bounded the photos uploaded to one case)."""

import html
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ActionRefused
from disputes import forms as dispute_forms
from disputes.evidence import EvidenceRejected, check_evidence_room
from disputes.forms import AppealForm, MessageForm, ModifyClaimForm, RejectForm
from disputes.models import EvidenceItem, Party
from tests.factories import jpeg_upload, open_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(buyer, seller):
    return open_dispute(buyer=buyer, seller=seller)  # one photo


def fill_to(dispute, total: int) -> None:
    """Rows only (no files): the limit counts rows."""
    missing = total - dispute.evidence.count()
    EvidenceItem.objects.bulk_create(
        EvidenceItem(
            dispute=dispute,
            uploaded_by=dispute.order.buyer,
            party=Party.BUYER,
            file=f"evidence/xx/{uuid.uuid4().hex}.jpg",
            thumbnail=f"evidence/xx/{uuid.uuid4().hex}-thumb.jpg",
            original_name="old.jpg",
            content_type="image/jpeg",
            size=1,
            width=1,
            height=1,
            sha256="0" * 64,
            created_at=timezone.now(),
        )
        for _ in range(missing)
    )


def test_a_case_takes_photos_up_to_the_limit(dispute, settings):
    assert settings.PARLEY_EVIDENCE["max_per_dispute"] == 30
    fill_to(dispute, 28)

    check_evidence_room(dispute, 2)
    check_evidence_room(dispute, 0)


def test_photos_past_the_limit_are_refused_naming_it(dispute):
    fill_to(dispute, 28)

    with pytest.raises(EvidenceRejected) as excinfo:
        check_evidence_room(dispute, 3)

    assert excinfo.value.message == (
        "A case can hold at most 30 photos and this one has 28, so you can add 2 more, not 3."
    )
    assert isinstance(excinfo.value, ActionRefused)  # the views show it like any refusal


def test_a_full_case_takes_no_more(dispute, settings):
    settings.PARLEY_EVIDENCE = {**settings.PARLEY_EVIDENCE, "max_per_dispute": 5}
    fill_to(dispute, 5)

    with pytest.raises(EvidenceRejected) as excinfo:
        check_evidence_room(dispute, 1)

    assert excinfo.value.message == (
        "A case can hold at most 5 photos, and this one has 5: none can be added."
    )


@pytest.mark.parametrize(
    ("form_class", "typed"),
    [
        (MessageForm, {"body": "Here is the box, as promised."}),
        (ModifyClaimForm, {"remedy": "full_refund", "note": "It is worse than I thought."}),
        (RejectForm, {"explanation": "It left here intact; see the photos."}),
        (AppealForm, {"statement": "The arbiter missed the second crack."}),
    ],
)
def test_forms_on_a_full_case_refuse_photos_and_keep_the_typing(
    dispute, monkeypatch, form_class, typed
):
    fill_to(dispute, 30)
    decoded: list[str] = []
    monkeypatch.setattr(dispute_forms, "process_photo", lambda upload, **_: decoded.append(1))
    before = set(EvidenceItem.objects.values_list("file", flat=True))

    form = form_class(typed, {"photos": [jpeg_upload("box.jpg")]}, dispute=dispute)

    assert not form.is_valid()
    assert form.errors["photos"] == [
        "A case can hold at most 30 photos, and this one has 30: none can be added."
    ]
    for field, value in typed.items():
        assert form[field].value() == value
    assert decoded == []  # refused before any photo was decoded
    assert set(EvidenceItem.objects.values_list("file", flat=True)) == before


def test_forms_without_photos_are_not_limited(dispute):
    fill_to(dispute, 30)

    form = MessageForm({"body": "Any news?"}, dispute=dispute)

    assert form.is_valid(), form.errors


def test_posting_a_photo_to_a_full_case_is_refused_and_stores_nothing(client, dispute, seller):
    fill_to(dispute, 30)
    client.force_login(seller)
    url = reverse("disputes:message", kwargs={"dispute_ref": dispute.reference})

    photo = SimpleUploadedFile("box.jpg", jpeg_upload().read(), content_type="image/jpeg")
    response = client.post(url, {"body": "The box.", "photos": [photo]}, follow=True)

    assert dispute.evidence.count() == 30
    assert "can hold at most 30 photos" in html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("url_name", "who", "typed"),
    [
        ("disputes:message", "seller", {"body": "Here is the box, as promised."}),
        ("disputes:modify", "buyer", {"remedy": "full_refund", "note": "Worse than I thought."}),
        ("disputes:reject", "seller", {"explanation": "It left here intact; see the photos."}),
        ("disputes:appeal", "buyer", {"statement": "The arbiter missed the second crack."}),
    ],
)
def test_pages_on_a_full_case_refuse_photos_next_to_the_field_and_keep_the_typing(
    client, dispute, request, monkeypatch, url_name, who, typed
):
    fill_to(dispute, 30)
    decoded: list[str] = []
    monkeypatch.setattr(dispute_forms, "process_photo", lambda upload, **_: decoded.append(1))
    client.force_login(request.getfixturevalue(who))
    photo = SimpleUploadedFile("box.jpg", jpeg_upload().read(), content_type="image/jpeg")

    url = reverse(url_name, kwargs={"dispute_ref": dispute.reference})
    response = client.post(url, {**typed, "photos": [photo]})

    form = response.context["message_form" if url_name == "disputes:message" else "form"]
    assert form.errors["photos"] == [
        "A case can hold at most 30 photos, and this one has 30: none can be added."
    ]
    for field, value in typed.items():
        assert form[field].value() == value
    assert decoded == []  # the page's form knew the case: nothing decoded
