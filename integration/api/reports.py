"""In: what happens outside Parley that Parley must know: a carrier's tracking events, and
the marketplace's report on a refund it paid (or could not pay)."""

from typing import Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Path, Router, Schema
from pydantic import AwareDatetime

from disputes.models import Refund
from orders.models import Carrier

from ..services import refunds, tracking
from ..services.idempotency import Answer
from .auth import caller
from .idempotent import IDEMPOTENCY_KEY, idempotent
from .problems import Problem

router = Router(tags=["in"])


class TrackingEventIn(Schema):
    carrier: Carrier
    tracking_number: str = Field(min_length=1, max_length=40)
    status: Literal["shipped", "delivered"]
    occurred_at: AwareDatetime


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


class SettlementIn(Schema):
    outcome: Literal["settled", "failed"]
    provider_reference: str = Field("", max_length=64)
    reason: str = Field("", max_length=200)


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
    if payload.outcome == "settled" and not payload.provider_reference:
        raise_missing("provider_reference", "A settled refund names the provider's reference.")
    if payload.outcome == "failed" and not payload.reason:
        raise_missing("reason", "A failed refund says why.")

    def act() -> Answer:
        refund = refunds.refund_report(
            caller(request).integration,
            refund_id,
            settled=payload.outcome == "settled",
            provider_reference=payload.provider_reference,
            reason=payload.reason,
        )
        return 200, _refund(refund)

    return idempotent(request, idempotency_key, payload, act)


def raise_missing(field: str, message: str) -> None:
    errors = [{"field": field, "message": message}]
    raise Problem(422, "validation_failed", "The request is not valid.", errors=errors)


def _refund(refund: Refund) -> dict[str, object]:
    return RefundOut(
        id=refund.pk,
        status=refund.status,
        amount=str(refund.amount),
        currency=refund.currency,
        provider_reference=refund.provider_reference,
        failure_reason=refund.failure_reason,
    ).model_dump(mode="json")
