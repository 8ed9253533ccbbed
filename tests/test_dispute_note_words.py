"""A dispute's notes that are no event's (a burst of messages, a deadline's reminder) are stored
as a code and data and said when read: the email in its recipient's language, whoever wrote
the news and whatever language the sender runs in.

Spanish is checked through gettext itself, with a tiny catalogue of these notes' words (as in
test_notification_words: the real catalogues are filled after the merge)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from accounts.personal import speaking_to
from core.moments import duration, moment
from disputes import services
from disputes.models import Deadline, DeadlineKind
from notifications.delivery import email_message
from notifications.models import Notification
from tests.factories import BuyerFactory, SellerFactory, open_dispute
from tests.tiny_catalogue import tiny_catalogue
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

SPANISH: dict[str | tuple[str, str], str | tuple[str, str]] = {
    "Reminder: dispute %(reference)s needs you": (
        "Recordatorio: la disputa %(reference)s te necesita"
    ),
    "Seller's answer": "Respuesta del vendedor",
    "%(clock)s is due %(when)s (in %(left)s). Open the dispute to see what happens then.": (
        "%(clock)s vence el %(when)s (en %(left)s). Abre la disputa para ver qué pasará."
    ),
    (
        "%(count)s new message from the seller on %(reference)s",
        "%(count)s new messages from the seller on %(reference)s",
    ): (
        "%(count)s mensaje nuevo del vendedor en %(reference)s",
        "%(count)s mensajes nuevos del vendedor en %(reference)s",
    ),
    (
        "The seller wrote %(count)s message on dispute %(reference)s. Open the dispute to read "
        "and answer.",
        "The seller wrote %(count)s messages on dispute %(reference)s. Open the dispute to read "
        "and answer.",
    ): (
        "El vendedor escribió %(count)s mensaje en la disputa %(reference)s. Abre la disputa "
        "para leer y responder.",
        "El vendedor escribió %(count)s mensajes en la disputa %(reference)s. Abre la disputa "
        "para leer y responder.",
    ),
}


@pytest.fixture
def spanish(tmp_path):
    with tiny_catalogue(tmp_path, "es", SPANISH):
        yield


def test_a_reminder_is_said_in_its_recipients_language_when_emailed(spanish, buyer):
    seller = SellerFactory(language="es")
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    with time_machine.travel(deadline.due_at - timedelta(hours=47), tick=False):
        enforce_deadlines()
        note = Notification.objects.get(code="disputes.note.reminder", recipient=seller)
        with translation.override("en"):  # the sender's own, ignored
            email = email_message(note)
        with speaking_to(seller):
            when, left = moment(deadline.due_at), duration(deadline.due_at - timezone.now())
    assert email.subject == f"[Parley] Recordatorio: la disputa {dispute.reference} te necesita"
    assert email.body.startswith(
        f"Respuesta del vendedor vence el {when} (en {left}). Abre la disputa para ver qué pasará."
    )
    assert note.words.subject == f"Reminder: dispute {dispute.reference} needs you"  # en here


def test_a_burst_of_messages_is_said_in_its_recipients_language_when_emailed(spanish, seller):
    buyer = BuyerFactory(language="es")
    dispute = open_dispute(buyer=buyer, seller=seller)
    with translation.override("en"):  # the seller writes in English
        for body in ("Hello", "Any news?"):
            services.dispute_post_message(dispute=dispute, actor=seller, body=body)
    note = Notification.objects.get(code="disputes.note.messages", recipient=buyer)
    assert (note.count, note.subject, note.body) == (2, "", "")
    with translation.override("en"):
        email = email_message(note)
    ref = dispute.reference
    assert email.subject == f"[Parley] 2 mensajes nuevos del vendedor en {ref}"
    assert email.body.startswith(
        f"El vendedor escribió 2 mensajes en la disputa {ref}. Abre la disputa para leer y "
        "responder."
    )
