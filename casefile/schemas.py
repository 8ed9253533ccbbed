"""The case file's content: everything about one case as its reader may see it, built on the
API's own case schemas (integration/api/case_schemas.py) and adding what the API leaves out.

Amounts are decimal strings with their currency; moments are ISO 8601 in UTC. Fields named
`*_label` or `text` are words rendered for the reader (their language and time zone, as
`language` and `time_zone` say); every other field is a code or a value. A field a reader may
not see is null (or empty), never missing, so one JSON Schema holds for every audience."""

import json
from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from disputes.models import DisputeState
from integration.api.case_schemas import (
    EventOut,
    EvidenceOut,
    ItemOut,
    MoneyOut,
    OfferOut,
    RefundOut,
    Role,
    Stage,
)

# Who the file is for: a party (what their case page shows), the arbiters and staff (what the
# arbiter's page shows besides), or the marketplace (the parties' shared record, through the API).
Audience = Literal["buyer", "seller", "staff", "marketplace"]
AUDIENCES: tuple[Audience, ...] = ("buyer", "seller", "staff", "marketplace")


class PersonOut(Schema):
    role: Role
    name: str = Field(description="As the case page names them; empty for the clock.")


class OrderLineOut(Schema):
    title: str
    quantity: int = Field(ge=1)
    unit_price: MoneyOut


class PaymentOut(Schema):
    amount: MoneyOut
    method: str = Field(examples=["card"])
    method_label: str
    paid_at: datetime
    provider_reference: str | None = Field(
        description="The payment provider's charge id (null in a party's file)."
    )


class OrderOut(Schema):
    reference: str
    external_id: str | None = Field(description="The marketplace's id (its own file only).")
    state: str
    store: str
    buyer: PersonOut
    seller: PersonOut
    total: MoneyOut
    placed_at: datetime
    paid_at: datetime | None
    delivery_days: int | None
    all_shipped_at: datetime | None
    received_at: datetime | None
    receipt_confirmed_automatically: bool
    lines: list[OrderLineOut]
    payment: PaymentOut | None


class ClaimOut(Schema):
    """The dispute itself: what the buyer claims, about which items, and where it stands."""

    reference: str
    state: DisputeState
    state_label: str
    stage: Stage
    reason: str
    reason_label: str
    description: str
    description_language: str | None = Field(description="As typed (staff's file only).")
    claimed: MoneyOut
    items: list[ItemOut]
    outcome: str
    outcome_label: str
    opened_at: datetime
    escalated_at: datetime | None
    ruled_at: datetime | None
    final_at: datetime | None
    closed_at: datetime | None
    return_carrier: str
    return_tracking_number: str
    return_shipped_at: datetime | None
    replacement_carrier: str
    replacement_tracking_number: str
    replacement_shipped_at: datetime | None


class OfferEntry(OfferOut):
    id: int
    author: PersonOut
    text: str = Field(description="The offer in words, e.g. “Partial refund of 10.00 USD”.")


class MessageEntry(Schema):
    id: int
    author: PersonOut
    at: datetime
    text: str
    language: str | None = Field(description="The language it was typed in (staff's file only).")
    evidence: list[str] = Field(description="Ids of the photos sent with it.")


class EvidenceEntry(EvidenceOut):
    submitted_by: PersonOut
    original_name: str = Field(description="The name the file was sent with (shown, not used).")
    caption: str
    message_id: int | None


class TimelineEntry(EventOut):
    """One act, the clock's included. A clock's act is dated when it fell due (`at`, also
    `due_at`); `ran_at` is when the engine carried it out."""

    actor_person: PersonOut
    state_change: str
    clock: str | None = Field(description="The clock that acted, for the clock's acts.")
    due_at: datetime | None
    ran_at: datetime | None


class RulingOut(Schema):
    id: int
    on_appeal: bool
    upheld: bool | None = Field(description="On appeal: whether the first ruling stands.")
    arbiter: PersonOut
    at: datetime
    outcome: str
    outcome_label: str
    amount: MoneyOut | None
    policy_clause: str
    policy_clause_label: str
    rationale: str
    language: str | None = Field(description="The rationale's language (staff's file only).")
    cited_evidence: list[str] = Field(description="Ids of the evidence that decided it.")
    seller_violation: bool
    penalty_note: str


class AppealOut(Schema):
    by: PersonOut
    at: datetime
    statement: str
    decision: RulingOut | None = Field(description="Null while the appeal waits.")


class RefundEntry(RefundOut):
    text: str = Field(description="Where the money is, in words.")


class LedgerOut(Schema):
    paid: MoneyOut
    refunded: MoneyOut = Field(description="On the whole order: every refund but failed ones.")
    refundable: MoneyOut
    payout: MoneyOut = Field(description="Paid minus refunded: what the seller keeps.")
    released: MoneyOut | None = Field(
        description="Paid out to the seller, once the order completed."
    )
    released_at: datetime | None
    refunds: list[RefundEntry] = Field(description="This case's refunds.")


class PolicyOut(Schema):
    version: int
    url: str = Field(description="The page of this version, an absolute address on Parley.")
    in_force_from: datetime


class RatingOut(Schema):
    stars: int = Field(ge=1, le=5)
    comment: str
    at: datetime


class SellerRecordOut(Schema):
    days: int
    orders_shipped: int
    disputes: int
    rulings_against: int
    violations: int


class BuyerHistoryOut(Schema):
    claims: int
    refunded: int
    rejected: int
    withdrawn: int


class StaffOut(Schema):
    """What the arbiter's page shows and a party's does not."""

    assignee: PersonOut | None
    assigned_at: datetime | None
    target_at: datetime
    evidence_requested_from: str
    evidence_due_at: datetime | None
    no_answer_from: str
    seller_record: SellerRecordOut
    buyer_history: BuyerHistoryOut


class CaseFile(Schema):
    reference: str
    audience: Audience
    generated_at: datetime
    language: str = Field(description="The language of the words in it.")
    time_zone: str = Field(description="The zone of the moments inside its words.")
    order: OrderOut
    claim: ClaimOut
    offers: list[OfferEntry]
    messages: list[MessageEntry]
    evidence: list[EvidenceEntry]
    timeline: list[TimelineEntry]
    ruling: RulingOut | None
    appeal: AppealOut | None
    ledger: LedgerOut
    policy: PolicyOut
    rating: RatingOut | None
    staff: StaffOut | None = Field(description="Null outside staff's file.")


class ManifestEvidence(Schema):
    id: str = Field(description="The evidence's id, as in `case_file.evidence`.")
    file_name: str = Field(description="Its path in the evidence zip.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Of the file's bytes.")
    bytes: int = Field(ge=0)


class Manifest(Schema):
    format: Literal["parley.case-file/1"]
    generated_at: datetime
    document_sha256: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of `case_file` as canonical JSON (keys sorted, no spaces, UTF-8).",
    )
    evidence: list[ManifestEvidence]


class CaseFileDocument(Schema):
    """The JSON a case file downloads as: the content and the manifest that proves it whole."""

    case_file: CaseFile
    manifest: Manifest


def case_file_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file document (docs/case-file.schema.json holds it, written by
    `manage.py case_file_schema`)."""
    schema = CaseFileDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def case_file_schema_text() -> str:
    """The schema as docs/case-file.schema.json holds it (sorted keys: a stable diff)."""
    return json.dumps(case_file_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
