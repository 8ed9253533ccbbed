"""Who hears of messages, evidence and appeals, and how often: the other party gets one note
per dispute and window however many messages came (one email, at the window's end); the
arbiter holding a case hears of new evidence, of the answer to their request and of an appeal
of their ruling; each person turns email on or off per kind, and the inbox always shows all."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from core.outbox import NoteKind
from disputes import services
from disputes.models import Party
from notifications.models import Notification
from notifications.services import email_choices_save, outbox_sweep
from tests.factories import ArbiterFactory, open_dispute, ruled_dispute

pytestmark = pytest.mark.django_db
WINDOW = 10  # minutes, PARLEY_NOTIFICATION_BURST_MINUTES in these tests


def _messages_to(person):
    return Notification.objects.filter(recipient=person, kind=NoteKind.MESSAGES)


def _say(dispute, actor, body="Hello", now=None):
    services.dispute_post_message(dispute=dispute, actor=actor, body=body, now=now)


@override_settings(PARLEY_NOTIFICATION_BURST_MINUTES=WINDOW)
def test_three_messages_in_a_burst_are_one_note_and_one_email_at_the_windows_end(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for minute in range(3):
            _say(dispute, seller, now=start + timedelta(minutes=minute))
    note = _messages_to(buyer).get()
    assert note.count == 3 and (note.code, note.subject) == ("disputes.note.messages", "")
    assert note.words.subject == f"3 new messages from the seller on {dispute.reference}"
    assert not _messages_to(seller).exists()  # the writer is not told of their own words

    mail.outbox.clear()
    end = start + timedelta(minutes=WINDOW)
    with time_machine.travel(end - timedelta(seconds=1), tick=False):
        outbox_sweep(older_than=timedelta(0))
    assert not [m for m in mail.outbox if buyer.email in m.to]  # the window is still open
    with time_machine.travel(end + timedelta(seconds=1), tick=False):
        outbox_sweep(older_than=timedelta(0))
    sent = [m for m in mail.outbox if buyer.email in m.to]
    assert [m.subject for m in sent] == [f"[Parley] {note.words.subject}"]


@override_settings(PARLEY_NOTIFICATION_BURST_MINUTES=WINDOW)
def test_a_message_after_the_window_opens_a_new_note(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    start = timezone.now()
    _say(dispute, buyer, now=start)
    _say(dispute, buyer, now=start + timedelta(minutes=WINDOW) - timedelta(seconds=1))
    _say(dispute, buyer, now=start + timedelta(minutes=WINDOW) + timedelta(seconds=1))
    counts = sorted(_messages_to(seller).values_list("count", flat=True))
    assert counts == [1, 2]
    latest = _messages_to(seller).order_by("-created_at").first()
    assert latest.words.subject == f"New message from the buyer on {dispute.reference}"


@override_settings(PARLEY_NOTIFICATION_BURST_MINUTES=WINDOW)
def test_a_read_burst_comes_back_unread_when_another_message_joins_it(client, buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    _say(dispute, seller)
    _messages_to(buyer).update(read_at=timezone.now())
    _say(dispute, seller)
    assert _messages_to(buyer).get().read_at is None
    client.force_login(buyer)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f"2 new messages from the seller on {dispute.reference}" in page
    assert "New New" not in page and "Unread" in page


@override_settings(PARLEY_NOTIFICATION_BURST_MINUTES=WINDOW)
def test_email_off_for_messages_keeps_the_note_in_the_inbox_but_sends_no_email(buyer, seller):
    email_choices_save(user=buyer, choices={NoteKind.MESSAGES: False})
    dispute = open_dispute(buyer=buyer, seller=seller)
    _say(dispute, seller)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=WINDOW + 1), tick=False):
        outbox_sweep(older_than=timedelta(0))
    assert _messages_to(buyer).get().emailed_at is not None  # done with, unsent
    assert not [m for m in mail.outbox if buyer.email in m.to]
    # Other kinds still come by email.
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    with time_machine.travel(timezone.now() + timedelta(minutes=WINDOW + 2), tick=False):
        outbox_sweep(older_than=timedelta(0))
    assert [m for m in mail.outbox if buyer.email in m.to]


def _held_case(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    assert arbitration.case_take_next(arbiter=arbiter).pk == dispute.pk
    return dispute


def _casework(arbiter):
    return Notification.objects.filter(recipient=arbiter, kind=NoteKind.CASEWORK)


def test_the_arbiter_holding_a_case_hears_of_new_evidence_once_per_burst(buyer, seller, arbiter):
    dispute = _held_case(buyer, seller, arbiter)
    _say(dispute, buyer, "Here is the courier's note.")
    _say(dispute, seller, "And my packing photo.")
    note = _casework(arbiter).get()
    assert note.count == 2
    assert dispute.reference in note.words.subject and "evidence" in note.words.subject
    assert note.words.body.startswith("The parties added 2 messages to case")
    assert note.url == reverse("arbitration:case", args=[dispute.reference])


def test_the_arbiter_hears_of_the_answer_to_their_request(buyer, seller, arbiter):
    dispute = _held_case(buyer, seller, arbiter)
    arbitration.case_request_evidence(
        dispute=dispute, arbiter=arbiter, party=Party.SELLER, request="Packing photo?", hours=48
    )
    _say(dispute, seller, "Attached.")
    subjects = [note.words.subject for note in _casework(arbiter)]
    assert subjects == [f"The seller answered your request for evidence on {dispute.reference}"]


def test_the_arbiter_who_ruled_hears_of_an_appeal(buyer, seller, arbiter):
    dispute = ruled_dispute(buyer=buyer, seller=seller, arbiter=arbiter)
    services.dispute_appeal(dispute=dispute, actor=seller, statement="The photo is of a cup.")
    subjects = [note.words.subject for note in _casework(arbiter)]
    assert subjects == [f"The seller appealed your ruling on {dispute.reference}"]
    other = ArbiterFactory()
    assert not _casework(other).exists()


def test_email_choices_page_saves_per_kind_and_refuses_strangers(client, buyer, arbiter):
    url = reverse("notifications:choices")
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(buyer)
    page = client.get(url).content.decode()
    assert "new messages from the other party" in page and "Cases you hold" not in page
    client.post(url, {NoteKind.UPDATES: "on", NoteKind.REMINDERS: "on"})
    assert dict(buyer.email_choices.values_list("kind", "email")) == {
        NoteKind.UPDATES: True,
        NoteKind.MESSAGES: False,
        NoteKind.REMINDERS: True,
    }
    page = client.get(url).content.decode()
    assert 'name="messages"' in page and 'name="messages" checked' not in page
    client.force_login(arbiter)
    assert "cases you hold" in client.get(url).content.decode()
    assert not arbiter.email_choices.exists()  # the buyer's choices are the buyer's
