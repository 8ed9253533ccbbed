"""Reads for a case file: who may have one (and as which audience), and the case with everything
its file shows, loaded in a fixed number of queries however long the case is."""

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db.models import Prefetch
from django.http import Http404

from accounts.models import User
from arbitration.models import Ruling
from core.errors import ActionRefused
from disputes import ledger
from disputes.models import (
    ClaimedLine,
    Dispute,
    DisputeEvent,
    EvidenceItem,
    Message,
    Offer,
    Refund,
)
from disputes.services.kernel import party_of

from .schemas import Audience


def audience_for(dispute: Dispute, user: User) -> Audience | None:
    """The file `user` may read of the dispute: their party's, staff's for an arbiter, or none
    (then the case does not exist for them: a 404, as everywhere)."""
    try:
        return cast(Audience, party_of(dispute, user))
    except ActionRefused:
        return "staff" if user.is_arbiter else None


def case_for_viewer(user: User, reference: str) -> tuple[Dispute, Audience]:
    """The case of `reference` with the audience `user` reads its file as, or 404."""
    dispute = (
        Dispute.objects.select_related("order__store", "order__buyer")
        .filter(reference=reference)
        .first()
    )
    audience = audience_for(dispute, user) if dispute is not None else None
    if dispute is None or audience is None:
        raise Http404("No such case.")
    return dispute, audience


@dataclass(frozen=True)
class CaseRecord:
    """One case and everything its file shows, each list oldest first."""

    dispute: Dispute
    offers: list[Offer]
    messages: list[Message]
    evidence: list[EvidenceItem]
    events: list[DisputeEvent]
    rulings: list[Ruling]
    refunds: list[Refund]
    order_refunded: Decimal  # every refund of the order but failed ones


def _dispute(pk: int) -> Dispute:
    claimed = ClaimedLine.objects.select_related("line")
    return (
        Dispute.objects.select_related(
            "order__store__owner",
            "order__buyer",
            "order__payment",
            "order__policy",
            "policy",
            "assignee",
            "appealed_by",
            "rating",
        )
        .prefetch_related(Prefetch("claimed_lines", queryset=claimed), "order__lines")
        .get(pk=pk)
    )


def case_record(dispute: Dispute) -> CaseRecord:
    """The case re-read whole (ten queries, whatever its size)."""
    case = _dispute(dispute.pk)
    rulings = case.rulings.select_related("arbiter").prefetch_related(
        Prefetch("cited_evidence", queryset=EvidenceItem.objects.only("id", "public_id"))
    )
    refunds = list(case.refunds.order_by("created_at", "id"))
    for refund in refunds:
        refund.order = case.order  # their order is the case's (read once, with its policy)
    return CaseRecord(
        dispute=case,
        offers=list(case.offers.select_related("author").order_by("created_at", "id")),
        messages=list(case.messages.select_related("author").order_by("created_at", "id")),
        evidence=list(case.evidence.select_related("uploaded_by").order_by("created_at", "id")),
        events=list(case.events.select_related("actor").order_by("created_at", "id")),
        rulings=list(rulings.order_by("created_at", "id")),
        refunds=refunds,
        order_refunded=ledger.refunded_amount(case.order).amount,
    )
