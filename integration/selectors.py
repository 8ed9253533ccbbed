"""Reads an integration may make: only the cases on orders it sent in (an order ExternalRef of
its own). Another integration's case is not found, never refused: its existence is not told."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from accounts.models import User
from disputes.models import Dispute, DisputeEvent, DisputeState, Party
from disputes.selectors import with_items

from .models import ExternalRef, Integration, RefKind

# Where a case is, in fewer words than its state: what a marketplace groups its list by.
STAGES: dict[str, str] = {
    DisputeState.AWAITING_SELLER: "negotiation",
    DisputeState.AWAITING_BUYER: "negotiation",
    DisputeState.ESCALATED: "arbitration",
    DisputeState.APPEALED: "arbitration",
    DisputeState.AWAITING_RETURN: "return",
    DisputeState.RETURN_IN_TRANSIT: "return",
    DisputeState.AWAITING_REPLACEMENT: "replacement",
    DisputeState.REPLACEMENT_IN_TRANSIT: "replacement",
    DisputeState.RESOLVED: "closed",
    DisputeState.CANCELLED: "closed",
}


class BadCursor(ValueError):
    """A cursor this API did not hand out (or one for another listing)."""


@dataclass(frozen=True)
class Cursor:
    """Where a page of cases ended: the last case's (updated_at, id)."""

    updated_at: datetime
    id: int

    def encode(self) -> str:
        raw = f"{self.updated_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            moment, pk = raw.split("|")
            at = datetime.fromisoformat(moment)
            if at.tzinfo is None:
                raise ValueError("naive")
            return cls(at, int(pk))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise BadCursor(text) from exc


def _refs(integration: Integration, kind: str) -> QuerySet[ExternalRef]:
    return ExternalRef.objects.filter(integration=integration, kind=kind)


def _external_id(integration: Integration, kind: str, field: str) -> Subquery:
    refs = _refs(integration, kind).filter(object_id=OuterRef(field))
    return Subquery(refs.values("external_id")[:1])


def integration_cases(integration: Integration) -> QuerySet[Dispute]:
    """The integration's cases, each with `updated_at` (its latest act, else its opening) and
    the external ids of its order, buyer and seller."""
    last_event = DisputeEvent.objects.filter(dispute=OuterRef("pk")).order_by("-created_at")
    ours = _refs(integration, RefKind.ORDER).filter(object_id=OuterRef("order_id"))
    return (
        Dispute.objects.filter(Exists(ours))
        .select_related("order__store__owner", "order__buyer", "order__payment", "agreed_offer")
        .annotate(
            updated_at=Coalesce(Subquery(last_event.values("created_at")[:1]), F("opened_at")),
            order_external_id=_external_id(integration, RefKind.ORDER, "order_id"),
            buyer_external_id=_external_id(integration, RefKind.USER, "order__buyer_id"),
            seller_external_id=_external_id(integration, RefKind.USER, "order__store__owner_id"),
        )
    )


def case_page(
    integration: Integration,
    *,
    state: str | None,
    updated_since: datetime | None,
    after: Cursor | None,
    limit: int,
) -> tuple[list[Dispute], Cursor | None]:
    """A page of cases, least recently updated first (keyset on updated_at, id), and the
    cursor of the next page (None on the last). Polling with `updated_since` set to the last
    sync's time picks up every case that changed since."""
    cases = integration_cases(integration)
    if state:
        cases = cases.filter(state=state)
    if updated_since is not None:
        cases = cases.filter(Q(updated_at__gte=updated_since))  # an annotation: Q, for mypy
    if after is not None:
        cases = cases.filter(
            Q(updated_at__gt=after.updated_at) | Q(updated_at=after.updated_at, id__gt=after.id)
        )
    rows = list(with_items(cases.order_by(F("updated_at").asc(), "id"))[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], Cursor(last.updated_at, last.pk)  # type: ignore[attr-defined]


def case_for(integration: Integration, reference: str) -> Dispute:
    """One of the integration's cases, or 404 (also for another integration's)."""
    case = with_items(integration_cases(integration)).filter(reference=reference).first()
    if case is None:
        raise Http404("No such case.")
    return case


def actor_role(dispute: Dispute, actor: User | None) -> str:
    """Who acted, as a role: buyer, seller, arbiter, staff, or system (a clock)."""
    if actor is None:
        return "system"
    if actor.pk == dispute.order.buyer_id:
        return Party.BUYER
    if actor.pk == dispute.order.store.owner_id:
        return Party.SELLER
    return Party.ARBITER if actor.is_arbiter else "staff"
