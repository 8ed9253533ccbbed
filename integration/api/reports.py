"""In: what happens outside Parley that Parley must know: a carrier's tracking events, and
the marketplace's report on a refund it paid (or could not pay)."""

from typing import Annotated, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Path, Router, Schema

from disputes.models import Refund
from orders.models import Carrier

from ..services import refunds, tracking
from ..services.idempotency import Answer
from .auth import caller
from .idempotent import IDEMPOTENCY_KEY, idempotent
from .types import UtcMoment

router = Router(tags=["in"])


class TrackingEventIn(Schema):
    carrier: Carrier
    tracking_number: str = Field(min_length=1, max_length=40)
    status: Literal["shipped", "delivered"]
    occurred_at: UtcMoment  # any offset Python reads, moved to UTC (PostgreSQL takes ±15:59)


class TrackingEventOut(Schema):
    parcel: Literal["parcel", "return"]
    effect: Literal["none", "return_delivered", "already_recorded"]


@router.post(
    "/tracking-events",
    response={200: TrackingEventOut},
    summary="Send a carrier's tracking event",
    description="A return parcel's `delivered` starts the seller's days to confirm the return "
    "at the event's time.",
)
def post_tracking_event(
    request: HttpRequest, payload: TrackingEventIn, idempotency_key: str | None = IDEMPOTENCY_KEY
) -> JsonResponse:
    def act() -> Answer:
        parcel, effect = tracking.tracking_event(
            caller(request).integration,
            carrier=payload.carrier,
            tracking_number=payload.tracking_number,
            status=tracking.TrackingStatus(payload.status),
            occurred_at=payload.occurred_at,
        )
        return 200, {"parcel": parcel, "effect": effect.value}

    return idempotent(request, idempotency_key, payload, act)


class SettledIn(Schema):
    outcome: Literal["settled"]
    provider_reference: str = Field(min_length=1, max_length=64)


class FailedIn(Schema):
    outcome: Literal["failed"]
    reason: str = Field(min_length=1, max_length=200)


# Settled names the provider's reference; failed says why (the schema says which needs what).
SettlementIn = Annotated[SettledIn | FailedIn, Field(discriminator="outcome")]


class RefundOut(Schema):
    id: int
    status: str
    amount: str
    currency: str
    provider_reference: str
    failure_reason: str


@router.post(
    "/refunds/{refund_id}/settlement",
    response={200: RefundOut},
    summary="Report a refund paid or refused by your provider",
)
def post_settlement(
    request: HttpRequest,
    payload: SettlementIn,
    refund_id: int = Path(..., ge=1, le=2**63 - 1),
    idempotency_key: str | None = IDEMPOTENCY_KEY,
) -> JsonResponse:
    def act() -> Answer:
        if isinstance(payload, SettledIn):
            reference, reason = payload.provider_reference, ""
        else:
            reference, reason = "", payload.reason
        refund = refunds.refund_report(
            caller(request).integration,
            refund_id,
            settled=isinstance(payload, SettledIn),
            provider_reference=reference,
            reason=reason,
        )
        return 200, _refund(refund)

    return idempotent(request, idempotency_key, payload, act)


def _refund(refund: Refund) -> dict[str, object]:
    return RefundOut(
        id=refund.pk,
        status=refund.status,
        amount=str(refund.amount),
        currency=refund.currency,
        provider_reference=refund.provider_reference,
        failure_reason=refund.failure_reason,
    ).model_dump(mode="json")
