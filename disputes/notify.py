"""Telling the buyer and the seller about their dispute (in the app and by email)."""

from datetime import datetime

from django.urls import reverse

from notifications.services import Note, notify_many

from .models import Dispute, Party


def _note(dispute: Dispute, party: str, key: str, subject: str, body: str) -> Note:
    order = dispute.order
    recipient_id = order.buyer_id if party == Party.BUYER else order.store.owner_id
    url = reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})
    return Note(recipient_id, f"{key}:{party}", subject, body, url)


def tell(dispute: Dispute, party: str, *, key: str, subject: str, body: str, now: datetime) -> None:
    notify_many([_note(dispute, party, key, subject, body)], now=now)


def tell_both(dispute: Dispute, *, key: str, subject: str, body: str, now: datetime) -> None:
    notify_many(
        [_note(dispute, party, key, subject, body) for party in (Party.BUYER, Party.SELLER)],
        now=now,
    )
