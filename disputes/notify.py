"""Telling the buyer and the seller about their dispute (in the app and by email)."""

from datetime import datetime

from django.urls import reverse

from notifications.services import notify

from .models import Dispute, Party


def tell(dispute: Dispute, party: str, *, key: str, subject: str, body: str, now: datetime) -> None:
    order = dispute.order
    recipient = order.buyer if party == Party.BUYER else order.store.owner
    notify(
        recipient=recipient,
        dedupe_key=f"{key}:{party}",
        subject=subject,
        body=body,
        url=reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference}),
        now=now,
    )


def tell_both(dispute: Dispute, *, key: str, subject: str, body: str, now: datetime) -> None:
    for party in (Party.BUYER, Party.SELLER):
        tell(dispute, party, key=key, subject=subject, body=body, now=now)
