"""Every event type the integration guide lists is sent, by the act that means it, in order
per case: a negotiation to an agreement, an arbitration with an appeal, a return, a
withdrawal, an order's receipt and payout. Every act that closes a case also sends
`case.closed` (after its own type), whichever act it is."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from arbitration import services as arbitration
from disputes import services
from disputes.models import Deadline, DeadlineKind, DeadlineStatus, Reason, Remedy
from integration.models import WebhookDelivery
from integration.services.refunds import refund_report
from integration.webhooks.catalogue import all_types
from orders.services import order_confirm_receipt
from tests.factories import ArbiterFactory, photo
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

# The list (docs/integration.md, "Events"): each must be sent by some act below.
LISTED = {
    "case.created",
    "case.updated",
    "case.offer.accepted",
    "case.offer.rejected",
    "case.evidence.added",
    "case.message.added",
    "case.escalated",
    "case.ruled",
    "case.appeal.filed",
    "case.appeal.decided",
    "case.closed",
    "case.action_due_soon",
    "return.shipped",
    "return.delivered",
    "return.received",
    "refund.created",
    "refund.settled",
    "refund.failed",
    "order.payout.released",
}

NEGOTIATION = [
    "case.created",
    "case.updated",
    "case.evidence.added",
    "case.message.added",
    "case.offer.rejected",
    "refund.created",  # the ledger records it inside the act
    "case.offer.accepted",
    "case.closed",
    "refund.failed",
]

ARBITRATION = [
    "case.created",
    "case.offer.rejected",
    "case.escalated",
    "refund.created",
    "case.ruled",
    "case.closed",
    "refund.settled",
    "case.appeal.filed",  # the case opens again
    "case.appeal.decided",
    "case.closed",
]

RETURN = [
    "case.created",
    "case.offer.accepted",  # onto the return path: still open
    "return.shipped",
    "return.delivered",
    "refund.created",
    "return.received",
    "case.closed",
]
FINAL = ["case.ruled", "case.closed", "case.ruling_final"]
WITHDRAWAL = ["case.created", "case.closed"]
ORDER = ["order.received", "order.payout.released"]
REMINDER = ["case.created", "case.action_due_soon"]


def _types(scope: str) -> list[str]:
    rows = WebhookDelivery.objects.filter(scope=scope).order_by("sequence")
    return list(rows.values_list("event_type", flat=True))


def _case(dispute) -> list[str]:
    return _types(f"dispute:{dispute.pk}")


@pytest.fixture
def integration():
    return integration_with_endpoint()[0]


def _refund_of(dispute) -> int:
    row = WebhookDelivery.objects.filter(
        scope=f"dispute:{dispute.pk}", event_type="refund.created"
    ).latest("sequence")
    return int(row.payload["data"]["event"]["data"]["refund"])


def test_a_negotiation_to_an_agreed_counter_offer(integration, buyer, seller):
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    claim = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("25"))
    services.dispute_modify(dispute=dispute, actor=buyer, proposal=claim)
    services.dispute_post_message(dispute=dispute, actor=seller, body="Look", photos=[photo()])
    services.dispute_post_message(dispute=dispute, actor=buyer, body="Thanks")
    counter = services.Proposal(Remedy.PARTIAL_REFUND, Decimal("10"))
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="Too much.", counter=counter
    )
    offer = dispute.offers.get(party="seller")
    services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=offer.pk)
    refund_report(
        integration, _refund_of(dispute), settled=False, provider_reference="", reason="x"
    )
    assert _case(dispute) == NEGOTIATION


def test_an_arbitration_with_an_appeal(integration, buyer, seller, arbiter):
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    decision = arbitration.Decision(
        outcome="partial_refund", rationale="r", policy_clause="damaged", amount=Decimal("10")
    )
    arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    refund_report(
        integration, _refund_of(dispute), settled=True, provider_reference="re_1", reason=""
    )
    services.dispute_appeal(dispute=dispute, actor=seller, statement="Look again.")
    other = ArbiterFactory()
    arbitration.case_take_next(arbiter=other)
    arbitration.case_decide_appeal(dispute=dispute, arbiter=other, uphold=True, decision=decision)
    assert _case(dispute) == ARBITRATION


def test_a_ruling_left_unappealed_becomes_final_without_closing_again(
    integration, buyer, seller, arbiter
):
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    decision = arbitration.Decision(outcome="reject", rationale="r", policy_clause="damaged")
    arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    window = Deadline.objects.get(
        dispute=dispute, kind=DeadlineKind.APPEAL, status=DeadlineStatus.PENDING
    )
    with time_machine.travel(window.due_at + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    assert _case(dispute)[-3:] == FINAL


def test_a_return_shipped_delivered_and_confirmed(integration, buyer, seller):
    order = integrated_order(integration, buyer=buyer, seller=seller)
    dispute = services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.NOT_AS_DESCRIBED,
        proposal=services.Proposal(Remedy.RETURN_AND_REFUND, Decimal("50")),
        description="Not the one pictured.",
        photos=[photo()],
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000001"
    )
    services.dispute_record_return_delivery(dispute=dispute, actor=None)
    services.dispute_confirm_return(dispute=dispute, actor=seller)
    assert _case(dispute) == RETURN


def test_a_withdrawal_closes_the_case_once(integration, buyer, seller):
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    assert _case(dispute) == WITHDRAWAL


def test_an_order_received_then_paid_out(integration, buyer, seller):
    order = integrated_order(integration, buyer=buyer, seller=seller)
    order = order_confirm_receipt(order=order, actor=buyer)
    with time_machine.travel(order.protection_ends_at + timedelta(seconds=1), tick=False):
        enforce_deadlines()
    assert _types(f"order:{order.pk}") == ORDER


def test_a_reminder_is_an_action_due_soon(integration, buyer, seller):
    dispute = open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    due = Deadline.objects.get(
        dispute=dispute, kind=DeadlineKind.SELLER_ANSWER, status=DeadlineStatus.PENDING
    ).due_at
    with time_machine.travel(due - timedelta(hours=47), tick=False):
        enforce_deadlines()
    assert _case(dispute) == REMINDER


def test_every_listed_type_is_sent_by_an_act_above():
    sent = {*NEGOTIATION, *ARBITRATION, *FINAL, *RETURN, *WITHDRAWAL, *ORDER, *REMINDER}
    assert LISTED - sent == set()
    assert LISTED - set(all_types()) == set()


def test_the_integration_guide_lists_every_type_sent():
    guide = (Path(settings.BASE_DIR) / "docs" / "integration.md").read_text()
    table = guide[guide.index("### Events") : guide.index("### Verifying a delivery")]
    listed = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", table))
    assert listed == set(all_types())
