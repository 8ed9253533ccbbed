"""GET /cases and /cases/{reference}: the integration's cases as its own app can show them,
with each party's available actions and their deadlines (disputes.available). A read key
suffices; another integration's case is a 404."""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from disputes.available import available_actions
from disputes.models import Dispute, EvidenceItem, Offer, Refund

from .. import selectors
from ..parties import parties_out
from ..selectors import STAGES, BadCursor, Cursor
from .auth import caller
from .case_schemas import CaseDetail, CaseFilter, CaseList
from .openapi import ProblemOut
from .problems import Problem

router = Router(tags=["cases"])


def _money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def _summary(case: Any) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "state": case.state,
        "stage": STAGES[case.state],
        "reason": case.reason,
        "outcome": case.outcome,
        "order_external_id": case.order_external_id,
        "claimed": _money(case.claimed_amount, case.order.currency),
        "opened_at": case.opened_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
    }


def offer_status(case: Dispute, offer: Offer) -> str:
    """What became of an offer: accepted, replaced by its author's next, lapsed with its
    deadline, closed unaccepted with the case, or still on the table ("current")."""
    if offer.pk == case.agreed_offer_id:
        return "accepted"
    if offer.lapsed_at is not None:
        return "lapsed"
    if offer.superseded_by_id is not None:
        return "superseded"
    return "current" if case.is_open else "closed"


def _offers(case: Dispute) -> list[dict[str, Any]]:
    return [
        {
            "party": offer.party,
            "remedy": offer.remedy,
            "amount": _money(offer.amount, offer.currency) if offer.amount is not None else None,
            "note": offer.note,
            "status": offer_status(case, offer),
            "created_at": offer.created_at,
            "lapsed_at": offer.lapsed_at,
        }
        for offer in case.offers.order_by("created_at", "id")
    ]


def _refund(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.pk,
        "amount": _money(refund.amount, refund.currency),
        "status": refund.status,
        "reason": refund.reason,
        "provider_reference": refund.provider_reference,
        "created_at": refund.created_at,
        "settled_at": refund.settled_at,
        "failed_at": refund.failed_at,
        "failure_reason": refund.failure_reason,
    }


def _evidence(case: Dispute, item: EvidenceItem) -> dict[str, Any]:
    return {
        "id": str(item.public_id),
        "party": item.party,
        "uploaded_by": selectors.actor_role(case, item.uploaded_by),
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "width": item.width,
        "height": item.height,
        "created_at": item.created_at,
    }


def _timeline(case: Dispute) -> list[dict[str, Any]]:
    return [
        {
            "code": event.code,
            "text": event.text,
            "data": event.data,
            "actor": selectors.actor_role(case, event.actor),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "at": event.created_at,
        }
        for event in case.events.select_related("actor").order_by("created_at", "id")
    ]


def _parties(case: Any) -> dict[str, Any]:
    external = {"buyer": case.buyer_external_id, "seller": case.seller_external_id}
    return parties_out(available_actions(case), external)


def case_detail(case: Any) -> dict[str, Any]:
    currency = case.order.currency
    items = [
        {
            "title": line.title,
            "quantity": quantity,
            "ordered": line.quantity,
            "unit_price": _money(line.unit_price, currency),
        }
        for line, quantity in case.claimed_items
    ]
    evidence = case.evidence.select_related("uploaded_by").order_by("created_at", "id")
    return _summary(case) | {
        "description": case.description,
        "items": items,
        **_parties(case),
        "offers": _offers(case),
        "refunds": [_refund(r) for r in case.refunds.order_by("created_at", "id")],
        "evidence": [_evidence(case, item) for item in evidence],
        "timeline": _timeline(case),
    }


@router.get("/cases", response={200: CaseList, 400: ProblemOut}, summary="List cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilter]) -> dict[str, Any]:
    """Your integration's cases, least recently updated first, a page at a time. To keep in
    sync, poll with `updated_since` set to your last poll's time and follow `next_cursor`."""
    try:
        after = Cursor.decode(filters.cursor) if filters.cursor else None
    except BadCursor as exc:
        raise Problem(400, "invalid_cursor", "This cursor was not handed out here.") from exc
    rows, following = selectors.case_page(
        caller(request).integration,
        state=filters.state,
        updated_since=filters.updated_since,
        after=after,
        limit=filters.limit,
    )
    return {
        "items": [_summary(case) for case in rows],
        "next_cursor": following.encode() if following else None,
    }


@router.get("/cases/{reference}", response={200: CaseDetail, 404: ProblemOut}, summary="A case")
def get_case(request: HttpRequest, reference: str) -> dict[str, Any]:
    """Everything about one case: claim, items, offers with their history, the refund ledger,
    evidence metadata, the timeline, and each party's available actions with deadlines."""
    return case_detail(selectors.case_for(caller(request).integration, reference))
