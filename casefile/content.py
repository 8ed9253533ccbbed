"""A case file's content for one audience: `build_case_file(dispute, audience=...)`.

A party's file holds what their case page shows them, the marketplace's the parties' shared
record, staff's what the arbiter's page shows besides (assignment, target, the seller's record
and the buyer's history, the languages texts were typed in, provider references). Words are
rendered in the active language and zone: wrap the call in `accounts.personal.speaking_to(user)`
outside a request."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from disputes.models import Dispute, DisputeEvent, EvidenceItem, Offer, Party
from integration.api.cases import offer_status
from integration.selectors import STAGES
from orders.models import Order

from .decisions import decisions_section, ledger_section, policy_section, rating_section
from .reader import Reader, money, utc
from .schemas import (
    Audience,
    CaseFile,
    ClaimOut,
    EvidenceEntry,
    MessageEntry,
    OfferEntry,
    OrderOut,
    TimelineEntry,
)
from .selectors import CaseRecord, case_record
from .staff import staff_section


def build_case_file(
    dispute: Dispute,
    *,
    audience: Audience,
    order_external_id: str | None = None,
    now: datetime | None = None,
) -> CaseFile:
    """The case as it stands, for `audience` (see the module's docstring). The dispute is read
    again whole (a fixed number of queries); `order_external_id`: the marketplace's own id of
    the order, for its file."""
    record = case_record(dispute)
    reader = Reader(record.dispute, audience)
    case = record.dispute
    return CaseFile.model_validate(
        {
            "reference": case.reference,
            "audience": audience,
            "generated_at": utc(now or timezone.now()),
            "language": get_language() or "en",
            "time_zone": timezone.get_current_timezone_name(),
            "order": _order(reader, case.order, order_external_id),
            "claim": _claim(reader, case),
            "offers": [_offer(reader, offer) for offer in record.offers],
            "messages": _messages(reader, record),
            "evidence": [_evidence(reader, item) for item in record.evidence],
            "timeline": [_event(reader, event) for event in record.events],
            **decisions_section(reader, record),
            "ledger": ledger_section(reader, record),
            "policy": policy_section(case),
            "rating": rating_section(case),
            "staff": staff_section(case, reader.person) if reader.staff else None,
        }
    )


# --- The order and the claim ---------------------------------------------------------------------


def _payment(reader: Reader, order: Order) -> dict[str, Any] | None:
    payment = getattr(order, "payment", None)
    if payment is None:
        return None
    return {
        "amount": money(payment.amount, payment.currency),
        "method": payment.method,
        "method_label": payment.get_method_display(),
        "paid_at": utc(payment.paid_at),
        "provider_reference": None if reader.party else payment.provider_reference,
    }


def _order(reader: Reader, order: Order, external_id: str | None) -> OrderOut:
    return OrderOut.model_validate(
        {
            "reference": order.reference,
            "external_id": external_id if reader.audience == "marketplace" else None,
            "state": order.state,
            "store": order.store.name,
            "buyer": reader.person(order.buyer),
            "seller": reader.person(order.store.owner),
            "total": money(order.total, order.currency),
            "placed_at": utc(order.placed_at),
            "paid_at": utc(order.paid_at),
            "delivery_days": order.delivery_days,
            "all_shipped_at": utc(order.all_shipped_at),
            "received_at": utc(order.received_at),
            "receipt_confirmed_automatically": order.receipt_confirmed_automatically,
            "lines": [
                {
                    "title": line.title,
                    "quantity": line.quantity,
                    "unit_price": money(line.unit_price, order.currency),
                }
                for line in order.lines.all()
            ],
            "payment": _payment(reader, order),
        }
    )


def _claim(reader: Reader, case: Dispute) -> ClaimOut:
    currency = case.order.currency
    return ClaimOut.model_validate(
        {
            "reference": case.reference,
            "state": case.state,
            "state_label": case.get_state_display(),
            "stage": STAGES[case.state],
            "reason": case.reason,
            "reason_label": case.get_reason_display(),
            "description": case.description,
            "description_language": reader.staff_only(case.description_language),
            "claimed": money(case.claimed_amount, currency),
            "items": [
                {
                    "title": line.title,
                    "quantity": quantity,
                    "ordered": line.quantity,
                    "unit_price": money(line.unit_price, currency),
                }
                for line, quantity in case.claimed_items
            ],
            "outcome": case.outcome,
            "outcome_label": case.get_outcome_display() if case.outcome else "",
            **{name: utc(getattr(case, name)) for name in _CLAIM_MOMENTS},
            **{name: getattr(case, name) for name in _CLAIM_PARCELS},
        }
    )


_CLAIM_MOMENTS = (
    "opened_at",
    "escalated_at",
    "ruled_at",
    "final_at",
    "closed_at",
    "return_shipped_at",
    "replacement_shipped_at",
)
_CLAIM_PARCELS = (
    "return_carrier",
    "return_tracking_number",
    "replacement_carrier",
    "replacement_tracking_number",
)


# --- What the parties said and sent -----------------------------------------------------------


def _offer(reader: Reader, offer: Offer) -> OfferEntry:
    amount = money(offer.amount, offer.currency) if offer.amount is not None else None
    return OfferEntry.model_validate(
        {
            "id": offer.pk,
            "party": offer.party,
            "remedy": offer.remedy,
            "amount": amount,
            "note": offer.note,
            "status": offer_status(reader.dispute, offer),
            "created_at": utc(offer.created_at),
            "lapsed_at": utc(offer.lapsed_at),
            "author": reader.person(offer.author),
            "text": offer.describe(),
        }
    )


def _messages(reader: Reader, record: CaseRecord) -> list[MessageEntry]:
    photos: dict[int, list[str]] = {}
    for item in record.evidence:
        if item.message_id is not None:
            photos.setdefault(item.message_id, []).append(str(item.public_id))
    return [
        MessageEntry.model_validate(
            {
                "id": message.pk,
                "author": reader.person(message.author),
                "at": utc(message.created_at),
                "text": message.body,
                "language": reader.staff_only(message.language),
                "evidence": photos.get(message.pk, []),
            }
        )
        for message in record.messages
    ]


def evidence_caption(item: EvidenceItem) -> str:
    """The photo as the case page's gallery describes it, by party (never by person)."""
    if item.party == Party.BUYER:
        words = _("Photo “%(name)s” from the buyer")
    elif item.party == Party.SELLER:
        words = _("Photo “%(name)s” from the seller")
    else:
        words = _("Photo “%(name)s” from the Parley arbiter")
    return words % {"name": item.original_name}


def _evidence(reader: Reader, item: EvidenceItem) -> EvidenceEntry:
    who = reader.person(item.uploaded_by)
    return EvidenceEntry.model_validate(
        {
            "id": str(item.public_id),
            "party": item.party,
            "uploaded_by": who["role"],
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "width": item.width,
            "height": item.height,
            "created_at": utc(item.created_at),
            "submitted_by": who,
            "original_name": item.original_name,
            "caption": evidence_caption(item),
            "message_id": item.message_id,
        }
    )


# --- The timeline --------------------------------------------------------------------------------


def _moment(data: Mapping[str, Any], key: str) -> datetime | None:
    """A moment a clock's act keeps in its data (ISO text), in UTC; None if absent or unreadable."""
    try:
        return utc(datetime.fromisoformat(str(data[key])))
    except (KeyError, ValueError):
        return None


def _event(reader: Reader, event: DisputeEvent) -> TimelineEntry:
    data = event.data if isinstance(event.data, Mapping) else {}
    clock = event.actor_id is None and "ran_at" in data
    person = reader.person(event.actor)
    return TimelineEntry.model_validate(
        {
            "code": event.code,
            "text": event.text,
            "data": {} if reader.party else dict(data),
            "actor": person["role"],
            "from_state": event.from_state,
            "to_state": event.to_state,
            "at": utc(event.created_at),
            "actor_person": person,
            "state_change": event.state_change,
            "clock": str(data.get("rule", "")) or None if clock else None,
            "due_at": _moment(data, "due_at") if clock else None,
            "ran_at": _moment(data, "ran_at") if clock else None,
        }
    )
