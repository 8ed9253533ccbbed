"""Acts become webhook delivery rows in their own transaction: typed from one catalogue, with
the case's snapshot and a per-case sequence, only for integrations' orders."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.timeline import CATALOGUE
from disputes import services
from disputes.models import Deadline, DeadlineKind, DeadlineStatus
from integration.models import WebhookDelivery
from integration.webhooks.catalogue import EVENT_TYPES, EXCLUDED
from tests.factories import open_dispute, shipped_order
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def test_every_dispute_and_order_code_is_sent_or_deliberately_excluded():
    codes = {code for code in CATALOGUE if code.split(".")[0] in {"disputes", "orders"}}
    assert codes - set(EVENT_TYPES) - set(EXCLUDED) == set()
    assert not set(EVENT_TYPES) & set(EXCLUDED)


def test_opening_a_dispute_on_an_integrated_order_writes_a_signed_event_row(buyer, seller):
    integration, endpoint = integration_with_endpoint()
    order = integrated_order(integration, buyer=buyer, seller=seller, external_id="M-77")
    dispute = open_on(order, buyer)
    (row,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert row.event_type == "case.created"
    assert row.sequence == 1 and row.scope == f"dispute:{dispute.pk}"
    payload = row.payload
    assert payload["id"] == row.event_id and payload["type"] == "case.created"
    case = payload["data"]["case"]
    assert case["reference"] == dispute.reference and case["state"] == "awaiting_seller"
    assert case["reason"] == "damaged"
    assert case["claimed_amount"] == {"amount": "20.00", "currency": order.currency}
    assert [d["kind"] for d in case["deadlines"]] and all(d["due_at"] for d in case["deadlines"])
    assert payload["data"]["order"]["external_id"] == "M-77"
    event = payload["data"]["event"]
    assert event["code"] == "disputes.dispute.opened" and event["text"].startswith("Dispute")


def test_each_act_on_a_case_gets_the_next_sequence_number(buyer, seller):
    integration, endpoint = integration_with_endpoint()
    order = integrated_order(integration, buyer=buyer, seller=seller)
    dispute = open_on(order, buyer)
    services.dispute_post_message(dispute=dispute, actor=seller, body="Sorry to hear that.")
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    rows = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("sequence")
    types = [(row.sequence, row.event_type) for row in rows]
    assert types[:2] == [(1, "case.created"), (2, "case.message.added")]
    # The accepted claim, its refund in the same case (the ledger records it first), and the
    # case closed by it.
    assert [t for _, t in types[2:]] == ["refund.created", "case.offer.accepted", "case.closed"]
    assert [s for s, _ in types] == list(range(1, len(types) + 1))


def test_an_endpoint_hears_only_the_types_it_asked_for(buyer, seller):
    integration, _ = integration_with_endpoint(event_types=["refund.*"])
    order = integrated_order(integration, buyer=buyer, seller=seller)
    dispute = open_on(order, buyer)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == ["refund.created"]


def test_an_act_on_an_order_of_no_integration_writes_no_rows(buyer, seller):
    integration_with_endpoint()
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert not WebhookDelivery.objects.exists()


def test_with_no_endpoint_anywhere_an_act_costs_one_look_per_transaction(buyer, seller):
    order = shipped_order(buyer=buyer, seller=seller)
    with CaptureQueriesContext(connection) as queries:
        open_on(order, buyer)
    looks = [q for q in queries.captured_queries if "integration_webhookendpoint" in q["sql"]]
    assert len(looks) == 1
    assert not WebhookDelivery.objects.exists()


def test_the_engine_batch_writes_rows_for_the_clock_acts(buyer, seller):
    integration, _ = integration_with_endpoint()
    orders = [
        integrated_order(integration, buyer=buyer, seller=seller, external_id=f"E{i}", days_ago=12)
        for i in range(3)
    ]
    disputes = [open_on(order, buyer, now=timezone.now() - timedelta(days=6)) for order in orders]
    WebhookDelivery.objects.all().delete()
    enforce_deadlines()
    for dispute in disputes:
        types = list(
            WebhookDelivery.objects.filter(scope=f"dispute:{dispute.pk}")
            .order_by("sequence")
            .values_list("event_type", "sequence")
        )
        # Seller silence: the claim's refund, then the case closed for the buyer, numbered
        # after case.created (1, deleted above).
        assert types == [("refund.created", 2), ("case.closed", 3)]


def test_a_reminder_is_sent_as_case_action_due_soon(buyer, seller):
    integration, _ = integration_with_endpoint()
    order = integrated_order(integration, buyer=buyer, seller=seller)
    dispute = open_on(order, buyer)
    due = Deadline.objects.get(
        dispute=dispute, kind=DeadlineKind.SELLER_ANSWER, status=DeadlineStatus.PENDING
    ).due_at
    with time_machine.travel(due - timedelta(hours=48) + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    delivery = WebhookDelivery.objects.get(event_type="case.action_due_soon")
    assert delivery.scope == f"dispute:{dispute.pk}" and delivery.sequence == 2
    event = delivery.payload["data"]["event"]
    assert event["code"] == "disputes.deadline.reminded"
    assert event["data"]["kind"] == "seller_answer" and event["data"]["party"] == "seller"
    # JSON carries moments to the millisecond
    assert abs(datetime.fromisoformat(event["data"]["due_at"]) - due) < timedelta(milliseconds=1)
