"""Notes are stored as a code and data and said when read: the email in its recipient's
language and zone, the inbox in the viewer's; bursts say their count; old rows keep the words
they were written with.

The language is checked through gettext itself, with a tiny Spanish catalogue made for the test
(the real catalogues come after the merge). The zone is checked as what the renderer runs in:
`core.moments.moment` is wrapped to write the local hour and the current zone's name, since
making moment() itself zone-aware is another change (core/moments.py)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from core.outbox import NOTE_WORDS, Note
from notifications import services
from notifications.delivery import email_message, outbox_drain
from notifications.grouping import Burst, add_to_bursts
from notifications.models import Notification
from orders import events as order_events
from orders import services as order_services
from tests.factories import BuyerFactory, shipped_order
from tests.tiny_catalogue import tiny_catalogue

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
RAN = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # protection then ends 16 Jul, 10:00 UTC
SPANISH = {
    "Order %(reference)s": "Pedido %(reference)s",
    "receipt confirmed automatically": "recepción confirmada automáticamente",
    "The seller's delivery time limit ran out, so receipt was confirmed for you. If something "
    "is wrong with the order, you can open a dispute until %(until)s.": (
        "Venció el plazo de entrega del vendedor y se confirmó la recepción por ti. Si algo va "
        "mal con el pedido, puedes abrir una disputa hasta el %(until)s."
    ),
    "Open it in Parley: %(link)s": "Ábrelo en Parley: %(link)s",
    "— Parley buyer protection": "— Protección al comprador de Parley",
    "Notifications": "Notificaciones",
}


@pytest.fixture
def spanish(tmp_path):
    """A Spanish catalogue with the words of one note, ahead of every other (LOCALE_PATHS)."""
    with tiny_catalogue(tmp_path, "es", SPANISH):
        yield


@pytest.fixture
def local_moments(monkeypatch):
    """moment() as the zone it runs in would write it: the local time and the zone's name."""

    def moment(value):
        return f"{timezone.localtime(value):%d/%m %H:%M} ({timezone.get_current_timezone_name()})"

    monkeypatch.setattr(order_events, "moment", moment)


def _receipt_note(buyer, seller):
    """The buyer's note when the clock confirms receipt for them (an event's note)."""
    order = shipped_order(buyer=buyer, seller=seller)
    order_services.order_confirm_receipt(order=order, actor=None, now=RAN)
    return order, Notification.objects.get(recipient=buyer)


def test_a_note_is_stored_as_its_events_code_and_data_not_words(buyer, seller):
    order, note = _receipt_note(buyer, seller)
    assert (note.code, note.subject, note.body) == ("orders.order.received", "", "")
    assert note.data["title"] == {
        "msgid": "Order %(reference)s",
        "values": {"reference": order.reference},
    }
    assert note.data["event"]["automatic"] is True
    assert note.words.subject == f"Order {order.reference}: receipt confirmed automatically"


def test_the_email_speaks_its_recipients_language_and_zone(spanish, local_moments, seller):
    buyer = BuyerFactory(language="es", time_zone="Europe/Madrid")
    order, note = _receipt_note(buyer, seller)
    with translation.override("en"), timezone.override(UTC):  # the sender's own, ignored
        email = email_message(note)
    assert (
        email.subject == f"[Parley] Pedido {order.reference}: recepción confirmada automáticamente"
    )
    # 16 Jul, 10:00 UTC is 12:00 in Madrid (summer time).
    assert email.body.startswith(
        "Venció el plazo de entrega del vendedor y se confirmó la recepción por ti. Si algo va "
        "mal con el pedido, puedes abrir una disputa hasta el 16/07 12:00 (Europe/Madrid)."
    )
    link = settings.PARLEY_SITE_URL + reverse("orders:buyer_order_detail", args=[order.reference])
    assert f"\n\nÁbrelo en Parley: {link}\n\n" in email.body
    assert "— Protección al comprador de Parley" in email.body
    # The same note to someone who chose nothing: the default language, UTC.
    other = BuyerFactory()
    _, english = _receipt_note(other, seller)
    body = email_message(english).body
    assert body.startswith("The seller's delivery time limit ran out") and "10:00 (UTC)" in body


def test_the_inbox_shows_the_same_note_in_the_viewers_language_and_zone(
    client, spanish, local_moments, seller
):
    buyer = BuyerFactory(language="es", time_zone="Europe/Madrid")
    order, _ = _receipt_note(buyer, seller)
    client.force_login(buyer)
    # The account's language and zone are the request's (accounts.middleware).
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f"Pedido {order.reference}: recepción confirmada automáticamente" in page
    assert "hasta el 16/07 12:00 (Europe/Madrid)." in page
    # The same note, once the person reads Parley in English on UTC.
    type(buyer).objects.filter(pk=buyer.pk).update(language="en", time_zone="UTC")
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert f"Order {order.reference}: receipt confirmed automatically" in page


def test_an_old_row_keeps_its_words_and_a_broken_one_falls_back(buyer):
    old = Notification.objects.create(
        recipient=buyer, dedupe_key="old", subject="Old subject", body="Old body", created_at=RAN
    )
    assert old.words == ("Old subject", "Old body")
    broken = Notification.objects.create(
        recipient=buyer,
        dedupe_key="broken",
        code="orders.order.completed",
        data={"event": {}},
        created_at=RAN,
    )
    assert broken.words == ("orders.order.completed", "")
    unknown = Notification(recipient=buyer, code="no.such.code", subject="Kept", body="As is")
    assert unknown.words == ("Kept", "As is")


@pytest.fixture
def messages_words(monkeypatch):
    """A burst's words by code, as an app registers them (core.outbox.note_words)."""

    def words(data, count):
        subject = ngettext(
            "New message from the %(party)s on %(ref)s",
            "%(count)d new messages from the %(party)s on %(ref)s",
            count,
        ) % {"count": count, "party": data["party"], "ref": data["ref"]}
        return subject, "Open the dispute to read and answer."

    monkeypatch.setitem(NOTE_WORDS, "tests.messages", words)


def test_a_burst_says_its_count_when_read(buyer, messages_words):
    burst = Burst(
        buyer.pk,
        "dispute:1:messages:seller",
        "messages",
        "/d/",
        code="tests.messages",
        data={"party": "seller", "ref": "DS-1"},
    )
    add_to_bursts([burst], now=RAN)
    note = Notification.objects.get(recipient=buyer)
    assert (note.subject, note.words.subject) == ("", "New message from the seller on DS-1")
    add_to_bursts([burst, burst], now=RAN + timedelta(minutes=1))
    note = Notification.objects.get(recipient=buyer)
    assert note.count == 3 and note.words.subject == "3 new messages from the seller on DS-1"


def test_the_drain_reads_each_recipients_language_and_zone_with_the_batch(
    django_assert_max_num_queries, monkeypatch
):
    """Rendering per email costs no query: the recipients' language and zone come with the
    rows, so ten emails take the statements one does."""
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    places = [("es", "Europe/Madrid"), ("pt-br", "America/Sao_Paulo"), ("ru", "Asia/Vladivostok")]

    def drain(n):
        people = [BuyerFactory(language=lang, time_zone=zone) for lang, zone in places * n]
        title = {"msgid": "Order %(reference)s", "values": {"reference": "PA-1"}}
        event = {"released": "5.00", "currency": "EUR"}
        notes = [
            Note(
                p.pk,
                f"w:{p.pk}",
                code="orders.order.completed",
                data={"title": title, "event": event},
            )
            for p in people
        ]
        services.notify_many(notes, now=timezone.now() - timedelta(minutes=1))
        mail.outbox = []
        with django_assert_max_num_queries(5):  # claim, email choices, record; savepoint
            assert outbox_drain().sent == len(people)
        return mail.outbox

    with override_settings(
        MAILERS={"default": {"BACKEND": f"{EmailBackend.__module__}.EmailBackend"}}
    ):
        assert len(drain(1)) == 3 and len(drain(4)) == 12
