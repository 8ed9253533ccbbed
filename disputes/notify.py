"""Telling the buyer and the seller about their dispute (in the app and by email)."""

from datetime import datetime
from functools import cache

from django.urls import reverse

from notifications.services import Note, notify_many

from .models import Dispute, Party


def note_for(dispute: Dispute, party: str, key: str, subject: str, body: str, at=None) -> Note:
    """One party's notification of an act, to write with others at once."""
    order = dispute.order
    recipient_id = order.buyer_id if party == Party.BUYER else order.store.owner_id
    return Note(recipient_id, f"{key}:{party}", subject, body, _url(dispute.reference), at)


@cache
def _url_template() -> str:
    return reverse("disputes:detail", kwargs={"dispute_ref": "REFERENCE"})


def _url(reference: str) -> str:
    # Formatted, not reversed, per note: the engine writes thousands at a time.
    return _url_template().replace("REFERENCE", reference)


def notes_for_both(dispute: Dispute, *, key: str, subject: str, body: str, at) -> list[Note]:
    """The buyer's and the seller's notifications of one act, to write with others at once."""
    parties = (Party.BUYER, Party.SELLER)
    return [note_for(dispute, party, key, subject, body, at) for party in parties]


def tell(dispute: Dispute, party: str, *, key: str, subject: str, body: str, now: datetime) -> None:
    notify_many([note_for(dispute, party, key, subject, body)], now=now)


def tell_both(dispute: Dispute, *, key: str, subject: str, body: str, now: datetime) -> None:
    notify_many(notes_for_both(dispute, key=key, subject=subject, body=body, at=now))
