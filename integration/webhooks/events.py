"""Turning recorded acts into webhook delivery rows, in the act's own transaction.

`on_recorded` hears every batch a `Recorder` writes (one act, or the engine's thousand). Its
cost per batch is fixed: nothing at all for acts with no webhook type; one EXISTS per
transaction while no endpoint is active anywhere (remembered on the connection until the
transaction ends); otherwise one statement each to find the integrations' cases, their
endpoints and running deadlines, allocate the cases' sequence numbers, and insert the rows."""

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core.timeline import Entry, describe
from core.timeline import on_recorded as listen
from disputes.available import Parties, available_actions_many
from disputes.models import Deadline, DeadlineStatus, Dispute
from orders.models import Order

from ..models import ExternalRef, RefKind, WebhookDelivery, WebhookEndpoint, WebhookSequence
from ..parties import parties_out
from .catalogue import event_types
from .kick import kick_delivery

REFUND_RECORDED = "disputes.order.refund_recorded"


@dataclass(frozen=True)
class Typed:
    entry: Entry
    type: str
    scope: str  # "dispute:<id>" or "order:<id>"


def on_recorded(entries: Sequence[Entry]) -> None:
    """The listener (registered below, when IntegrationConfig.ready imports this module)."""
    typed = [(entry, kind) for entry in entries for kind in event_types(entry)]
    if not typed or not endpoints_exist():
        return
    refs = {e.data["dispute"] for e, _ in typed if e.code == REFUND_RECORDED and e.data["dispute"]}
    dispute_ids = {e.subject_id for e, _ in typed if _is_dispute(e)}
    cases = _cases(dispute_ids, refs)
    by_reference = {case["reference"]: case for case in cases.values()}
    events = [t for entry, kind in typed if (t := _scoped(entry, kind, by_reference)) is not None]
    order_ids = {int(t.scope.split(":")[1]) for t in events if t.scope.startswith("order:")}
    orders = _orders(order_ids)
    events = [t for t in events if t.scope in cases or t.scope in orders]
    if events:
        _write(events, cases, orders)


listen(on_recorded)


# --- Is any endpoint active? (once per transaction) ---------------------------------------------

_MEMO = "_parley_webhook_endpoints"


def endpoints_exist() -> bool:
    """Whether any endpoint is active, asked once per transaction: the answer is kept on the
    connection beside a marker registered on commit, and holds while the marker is still in
    the connection's on-commit list (a commit runs it, a rollback drops it)."""
    memo: tuple[_Marker, bool] | None = getattr(connection, _MEMO, None)
    if connection.in_atomic_block and memo is not None:
        marker, exists = memo
        if any(item[1] is marker for item in connection.run_on_commit):
            return exists
    exists = WebhookEndpoint.objects.filter(disabled_at__isnull=True).exists()
    if connection.in_atomic_block:
        marker = _Marker()
        transaction.on_commit(marker)
        setattr(connection, _MEMO, (marker, exists))
    return exists


class _Marker:
    def __call__(self) -> None:
        return None


# --- Whose cases -----------------------------------------------------------------------------


def _is_dispute(entry: Entry) -> bool:
    return entry.model._meta.label == "disputes.DisputeEvent"


def _integrated(rows: QuerySet[Any], order_field: str) -> QuerySet[Any]:
    """The rows of orders some integration sent in, with that integration and the order's
    external id, kept only when the integration has an active endpoint."""
    ref = ExternalRef.objects.filter(kind=RefKind.ORDER, object_id=OuterRef(order_field))
    active = WebhookEndpoint.objects.filter(
        integration_id=OuterRef("integration_id"), disabled_at__isnull=True
    )
    return rows.annotate(
        integration_id=Subquery(ref.values("integration_id")[:1]),
        order_external_id=Subquery(ref.values("external_id")[:1]),
    ).filter(Exists(active))


def _cases(ids: Iterable[int], references: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The integrations' cases among these, each as its snapshot reads it: the dispute row,
    its running deadlines and each party's available actions (a few queries for all)."""
    ids, references = list(ids), list(references)
    if not ids and not references:
        return {}
    disputes = Dispute.objects.filter(Q(pk__in=ids) | Q(reference__in=references))
    loaded = disputes.select_related("order__buyer", "order__store__owner", "agreed_offer")
    rows = list(
        _integrated(loaded, "order_id").annotate(
            buyer_external_id=_user_ref("order__buyer_id"),
            seller_external_id=_user_ref("order__store__owner_id"),
        )
    )
    actions = available_actions_many(rows)
    cases = {f"dispute:{row.pk}": _case_row(row, actions[row.pk]) for row in rows}
    deadlines = Deadline.objects.filter(
        dispute_id__in=[row.pk for row in rows], status=DeadlineStatus.PENDING
    ).values_list("dispute_id", "kind", "due_at")
    for dispute_id, kind, due_at in deadlines.order_by("due_at"):
        cases[f"dispute:{dispute_id}"]["deadlines"].append({"kind": kind, "due_at": due_at})
    return cases


def _user_ref(field: str) -> Subquery:
    """The external id the case's integration gave a user (None if it sent none)."""
    refs = ExternalRef.objects.filter(
        kind=RefKind.USER, integration_id=OuterRef("integration_id"), object_id=OuterRef(field)
    )
    return Subquery(refs.values("external_id")[:1])


def _case_row(dispute: Any, actions: Parties) -> dict[str, Any]:
    external = {"buyer": dispute.buyer_external_id, "seller": dispute.seller_external_id}
    return {
        "pk": dispute.pk,
        "reference": dispute.reference,
        "state": dispute.state,
        "reason": dispute.reason,
        "outcome": dispute.outcome,
        "claimed_amount": dispute.claimed_amount,
        "opened_at": dispute.opened_at,
        "closed_at": dispute.closed_at,
        "order__reference": dispute.order.reference,
        "order__currency": dispute.order.currency,
        "integration_id": dispute.integration_id,
        "order_external_id": dispute.order_external_id,
        "deadlines": [],
        "parties": parties_out(actions, external),
    }


def _orders(ids: set[int]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    rows = _integrated(Order.objects.filter(pk__in=ids), "pk").values(
        "pk", "reference", "state", "currency", "integration_id", "order_external_id"
    )
    return {f"order:{row['pk']}": row for row in rows}


def _scoped(entry: Entry, kind: str, by_reference: dict[str, dict[str, Any]]) -> Typed | None:
    if _is_dispute(entry):
        return Typed(entry, kind, f"dispute:{entry.subject_id}")
    case = by_reference.get(entry.data.get("dispute") or "")
    if case is not None:  # a refund of a dispute: in that case's order
        return Typed(entry, kind, f"dispute:{case['pk']}")
    return Typed(entry, kind, f"order:{entry.subject_id}")


# --- Rows ---------------------------------------------------------------------------------------


def _write(
    events: list[Typed], cases: dict[str, dict[str, Any]], orders: dict[str, dict[str, Any]]
) -> None:
    subjects = {**cases, **orders}
    integrations = {subjects[t.scope]["integration_id"] for t in events}
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        integration_id__in=integrations, disabled_at__isnull=True
    ).order_by("pk"):
        endpoints.setdefault(endpoint.integration_id, []).append(endpoint)
    numbers = allocate(Counter(t.scope for t in events))
    now = timezone.now()
    rows = []
    for event in events:
        subject = subjects[event.scope]
        numbers[event.scope] += 1
        payload = build_payload(event, subject, numbers[event.scope])
        for endpoint in endpoints.get(subject["integration_id"], []):
            if endpoint.wants(event.type):
                rows.append(_row(endpoint, event, payload, now))
    WebhookDelivery.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(kick_delivery)


def allocate(counts: Counter[str]) -> dict[str, int]:
    """Reserve counts[scope] numbers for each scope; returns the number before the first one."""
    scopes = sorted(counts)
    table = WebhookSequence._meta.db_table
    sql = (
        f'INSERT INTO "{table}" (scope, last) SELECT * FROM unnest(%s::text[], %s::bigint[]) '
        f'ON CONFLICT (scope) DO UPDATE SET last = "{table}".last + EXCLUDED.last '
        "RETURNING scope, last"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [scopes, [counts[scope] for scope in scopes]])
        return {scope: last - counts[scope] for scope, last in cursor.fetchall()}


def _row(endpoint: WebhookEndpoint, event: Typed, payload: dict[str, Any], now: datetime) -> Any:
    return WebhookDelivery(
        endpoint=endpoint,
        event_id=payload["id"],
        event_type=event.type,
        scope=event.scope,
        sequence=payload["sequence"],
        payload=payload,
        created_at=now,
        next_attempt_at=now,
    )


def build_payload(event: Typed, subject: dict[str, Any], sequence: int) -> dict[str, Any]:
    entry = event.entry
    order = {
        "external_id": subject["order_external_id"],
        "reference": subject.get("order__reference", subject.get("reference")),
    }
    data: dict[str, Any] = {"case": None, "order": order}
    if event.scope.startswith("dispute:"):
        data["case"] = _case_snapshot(subject)
    else:
        order["state"] = subject["state"]
    data["event"] = {
        "code": entry.code,
        "data": dict(entry.data),
        "text": describe(entry.code, entry.data),
        "at": entry.created_at,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "by": "parley" if entry.actor_id is None else "person",
    }
    return {
        "id": f"msg_{uuid.uuid4().hex}",
        "type": event.type,
        "timestamp": entry.created_at,
        "sequence": sequence,
        "data": data,
    }


def _case_snapshot(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "reference": case["reference"],
        "state": case["state"],
        "reason": case["reason"],
        "outcome": case["outcome"],
        "claimed_amount": {"amount": case["claimed_amount"], "currency": case["order__currency"]},
        "opened_at": case["opened_at"],
        "closed_at": case["closed_at"],
        "deadlines": case["deadlines"],
        **case["parties"],  # "buyer" and "seller": external id and available actions
    }
