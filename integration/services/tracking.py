"""Carrier tracking events the marketplace passes on. A parcel is found by carrier and
tracking number among the integration's orders: an order's parcel, or a dispute's return.

A return parcel's "delivered" records the return's delivery at the event's time (the seller's
days to confirm it run from then, policy.md "return delivery"). The same event again changes
nothing; an outbound parcel's events are acknowledged (the buyer confirms receipt, or the
delivery time limit does)."""

from datetime import datetime
from enum import StrEnum

from django.db import transaction
from django.utils import timezone

from disputes import services as disputes
from disputes.models import Dispute
from orders.models import Parcel

from ..models import Integration, RefKind
from .refs import NotFound, owned_ids


class TrackingStatus(StrEnum):
    SHIPPED = "shipped"
    DELIVERED = "delivered"


class Effect(StrEnum):
    NONE = "none"  # acknowledged: nothing to change
    RETURN_DELIVERED = "return_delivered"  # the return's delivery is recorded
    ALREADY_RECORDED = "already_recorded"  # the same event came before


@transaction.atomic
def tracking_event(
    integration: Integration,
    *,
    carrier: str,
    tracking_number: str,
    status: TrackingStatus,
    occurred_at: datetime,
    now: datetime | None = None,
) -> tuple[str, Effect]:
    """Returns what the parcel is ("parcel" or "return") and what the event did."""
    now = now or timezone.now()
    orders = owned_ids(integration, RefKind.ORDER)
    dispute = Dispute.objects.filter(
        order_id__in=orders, return_carrier=carrier, return_tracking_number=tracking_number
    ).first()
    if dispute is not None:
        return "return", _on_return(dispute, status, occurred_at, now)
    if Parcel.objects.filter(
        order_id__in=orders, carrier=carrier, tracking_number=tracking_number
    ).exists():
        return "parcel", Effect.NONE
    raise NotFound(f"No parcel with the tracking number “{tracking_number}” at {carrier}.")


def _on_return(dispute: Dispute, status: TrackingStatus, at: datetime, now: datetime) -> Effect:
    if status != TrackingStatus.DELIVERED:
        return Effect.NONE
    if dispute.return_delivered_at == at:
        return Effect.ALREADY_RECORDED
    disputes.dispute_record_return_delivery(dispute=dispute, actor=None, delivered_at=at, now=now)
    return Effect.RETURN_DELIVERED
