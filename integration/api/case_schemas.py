"""What the cases endpoints answer with. Amounts are decimal strings with their currency
("12.50", "EUR"), never floats; moments are ISO 8601 in UTC."""

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from ninja import Schema
from pydantic import Field

from disputes.models import DisputeState

from .types import UtcMoment

AMOUNT = r"^\d+(\.\d+)?$"
Stage = Literal["negotiation", "arbitration", "return", "replacement", "closed"]
Role = Literal["buyer", "seller", "arbiter", "staff", "system"]


class MoneyOut(Schema):
    amount: str = Field(pattern=AMOUNT, examples=["12.50"])
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])


class ItemOut(Schema):
    title: str
    quantity: int = Field(ge=1, description="How many of this line the claim is about.")
    ordered: int = Field(ge=1, description="How many the order has.")
    unit_price: MoneyOut


class OfferOut(Schema):
    party: Literal["buyer", "seller", "arbiter"]
    remedy: str = Field(examples=["partial_refund"])
    amount: MoneyOut | None
    note: str
    status: Literal["current", "superseded", "lapsed", "accepted", "closed"]
    created_at: datetime
    lapsed_at: datetime | None


class RefundOut(Schema):
    id: int = Field(description="Name it in a settlement report.")
    amount: MoneyOut
    status: Literal["pending", "settled", "failed"]
    reason: str
    provider_reference: str
    created_at: datetime
    settled_at: datetime | None
    failed_at: datetime | None
    failure_reason: str


class EvidenceOut(Schema):
    id: str = Field(description="The evidence's public id (a UUID).")
    party: Literal["buyer", "seller", "arbiter"]
    uploaded_by: Role
    content_type: str
    size: int = Field(ge=0, description="Bytes, as stored (re-encoded, metadata stripped).")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the stored bytes.")
    width: int
    height: int
    created_at: datetime


class EventOut(Schema):
    code: str = Field(examples=["disputes.dispute.opened"])
    text: str
    data: dict[str, Any]
    actor: Role
    from_state: str
    to_state: str
    at: datetime


class ActionOut(Schema):
    action: str = Field(examples=["seller_accept"])
    due_by: datetime | None = Field(description="The last moment it can be taken, as things stand.")
    default_outcome: str = Field(description="What happens at `due_by` if nobody acts.")
    clock: str | None = Field(
        description="The deadline that bounds it.", examples=["seller_answer"]
    )


class PartyOut(Schema):
    external_id: str | None = Field(description="Your id of this user (if you sent it in).")
    available_actions: list[ActionOut]


class CaseSummary(Schema):
    reference: str
    state: DisputeState
    stage: Stage
    reason: str
    outcome: str
    order_external_id: str
    claimed: MoneyOut
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class CaseDetail(CaseSummary):
    description: str
    items: list[ItemOut]
    buyer: PartyOut
    seller: PartyOut
    offers: list[OfferOut]
    refunds: list[RefundOut]
    evidence: list[EvidenceOut]
    timeline: list[EventOut]


class CaseList(Schema):
    items: list[CaseSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class CaseFilter(Schema):
    state: DisputeState | None = None
    updated_since: UtcMoment | None = Field(
        None, description="Only cases with an act at or after this moment (with a time zone)."
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(
        settings.PARLEY_CASE_PAGE["api_cases"], ge=1, le=settings.PARLEY_CASE_PAGE["api_cases_max"]
    )
