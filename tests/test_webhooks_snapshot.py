"""The case snapshot in every webhook carries each party's available actions, as the API's
case read does, and computing them costs the same few queries for 3 cases as for 21 (the
engine's batches record a thousand acts at once)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.timeline import Entry
from disputes import services
from disputes.models import DisputeEvent, DisputeState, Reason, Remedy
from integration.models import ApiKey, ExternalRef, RefKind, Scope, WebhookDelivery
from integration.webhooks.delivery import deliver_due
from integration.webhooks.events import on_recorded
from tests.factories import photo
from tests.test_webhooks_delivery import Receiver
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on

pytestmark = pytest.mark.django_db


def _open(order, buyer, remedy: str, amount: str | None = None):
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.DAMAGED,
        proposal=services.Proposal(remedy, Decimal(amount) if amount else None),
        description="The lid arrived cracked.",
        photos=[photo()],
    )


def _cases(integration, buyer, seller, per_state: int) -> list:
    """`per_state` cases in each of three states whose soonest clock's words read more than
    the dispute row: the buyer's claim, the value of a replacement, the agreed return."""
    disputes = []
    for i in range(per_state):
        order = integrated_order(integration, buyer=buyer, seller=seller, external_id=f"A{i}")
        disputes.append(open_on(order, buyer))
        order = integrated_order(integration, buyer=buyer, seller=seller, external_id=f"R{i}")
        dispute = _open(order, buyer, Remedy.REPLACEMENT)
        disputes.append(services.dispute_seller_accept(dispute=dispute, actor=seller))
        order = integrated_order(integration, buyer=buyer, seller=seller, external_id=f"T{i}")
        dispute = _open(order, buyer, Remedy.RETURN_AND_REFUND, "50")
        dispute = services.dispute_seller_accept(dispute=dispute, actor=seller)
        disputes.append(
            services.dispute_ship_return(
                dispute=dispute, actor=buyer, carrier="dhl", tracking_number=f"RET{i:07d}"
            )
        )
    return disputes


def _latest_entries(disputes) -> list[Entry]:
    """Each case's latest act, as the recorder hands it to its listeners."""
    entries = []
    for dispute in disputes:
        event = DisputeEvent.objects.filter(dispute=dispute).latest("id")
        entries.append(
            Entry(
                DisputeEvent,
                dispute.pk,
                event.code,
                event.actor_id,
                event.from_state,
                event.to_state,
                event.data,
                event.created_at,
            )
        )
    return entries


def _queries_for_one_batch(disputes) -> tuple[int, list[WebhookDelivery]]:
    WebhookDelivery.objects.all().delete()
    entries = _latest_entries(disputes)
    with CaptureQueriesContext(connection) as queries:
        on_recorded(entries)
    return len(queries.captured_queries), list(WebhookDelivery.objects.all())


def test_a_batch_of_acts_costs_the_same_queries_for_3_cases_as_for_21(buyer, seller):
    integration, _ = integration_with_endpoint()
    disputes = _cases(integration, buyer, seller, per_state=7)
    states = {d.state for d in disputes}
    assert states == {
        DisputeState.AWAITING_SELLER,
        DisputeState.AWAITING_REPLACEMENT,
        DisputeState.RETURN_IN_TRANSIT,
    }
    few, rows_few = _queries_for_one_batch(disputes[:3])
    many, rows_many = _queries_for_one_batch(disputes)
    assert (len(rows_few), len(rows_many)) == (3, 21)
    assert many == few
    # … and every row carries the seller's actions with the clock that bounds them.
    for row in rows_many:
        seller_side = row.payload["data"]["case"]["seller"]
        acts = [a for a in seller_side["available_actions"] if a["action"] != "message"]
        assert acts and all(a["due_by"] and a["default_outcome"] and a["clock"] for a in acts)


def _read_key(integration) -> str:
    _, key = ApiKey.issue(integration, scope=Scope.READ)
    return key


def test_a_delivered_payload_has_the_actions_the_api_reads(settings, client, buyer, seller):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        integration, _ = integration_with_endpoint(receiver.url)
        for user, external_id in [(buyer, "b-9"), (seller, "s-9")]:
            ExternalRef.objects.create(
                integration=integration,
                kind=RefKind.USER,
                external_id=external_id,
                object_id=user.pk,
            )
        order = integrated_order(integration, buyer=buyer, seller=seller, external_id="M-9")
        dispute = open_on(order, buyer)
        assert deliver_due().delivered == 1
        (payload,) = receiver.payloads()
    finally:
        receiver.stop()
    case = payload["data"]["case"]
    headers = {"Authorization": f"Bearer {_read_key(integration)}"}
    read = client.get(f"/api/v1/cases/{dispute.reference}", headers=headers).json()
    assert case["buyer"] == read["buyer"] and case["seller"] == read["seller"]
    assert case["seller"]["external_id"] == "s-9" and case["buyer"]["external_id"] == "b-9"
    acts = {a["action"]: a for a in case["seller"]["available_actions"]}
    assert {"seller_accept", "seller_reject", "message"} <= set(acts)
    accept = acts["seller_accept"]
    assert accept["clock"] == "seller_answer" and accept["due_by"]
    assert accept["default_outcome"].startswith("If you do not answer by")
    assert acts["message"]["due_by"] is None
