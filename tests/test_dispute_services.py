"""The dispute state machine through its services: every act, allowed and refused, and money."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ActionRefused, StaleState
from disputes import selectors, services
from disputes.ledger import refundable_amount
from disputes.models import (
    DeadlineKind,
    DeadlineStatus,
    DisputeState,
    Outcome,
    Party,
    Reason,
    Refund,
    RefundStatus,
    Remedy,
)
from disputes.services import Proposal
from tests.factories import open_dispute, photo, shipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, seller):
    return shipped_order(buyer=buyer, seller=seller)  # total 50.00 USD, paid


def _open(order, buyer, remedy=Remedy.PARTIAL_REFUND, amount="20.00", reason=Reason.DAMAGED, **kw):
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason=reason,
        proposal=Proposal(remedy, Decimal(amount) if amount else None),
        description="The lid arrived cracked.",
        photos=kw.pop("photos", [photo()]),
        **kw,
    )


def _pending(dispute) -> dict[str, object]:
    return {d.kind: d.due_at for d in dispute.deadlines.filter(status=DeadlineStatus.PENDING)}


def _codes(dispute) -> list[str]:
    return list(dispute.events.values_list("code", flat=True))


def test_open_records_claim_photo_timeline_and_clocks(order, buyer):
    dispute = _open(order, buyer)
    assert dispute.state == DisputeState.AWAITING_SELLER
    assert dispute.reference.startswith("DS-")
    offer = selectors.current_offer(dispute, Party.BUYER)
    assert (offer.remedy, offer.amount) == (Remedy.PARTIAL_REFUND, Decimal("20.00"))
    item = dispute.evidence.get()
    assert item.offer == offer and item.sha256 and item.file.name.startswith("evidence/")
    assert _codes(dispute) == ["disputes.dispute.opened"]
    policy = dispute.policy
    assert _pending(dispute) == {
        DeadlineKind.SELLER_ANSWER: dispute.opened_at + timedelta(days=policy.seller_answer_days),
        DeadlineKind.NEGOTIATION_LIMIT: dispute.opened_at + timedelta(days=policy.negotiation_days),
    }


def test_not_received_claim_also_runs_the_goods_in_transit_clock(order, buyer):
    dispute = _open(order, buyer, reason=Reason.NOT_RECEIVED, photos=[])
    assert _pending(dispute)[DeadlineKind.GOODS_IN_TRANSIT] == order.promised_delivery_at


def test_damaged_or_not_as_described_need_a_photo(order, buyer):
    for reason in (Reason.DAMAGED, Reason.NOT_AS_DESCRIBED):
        with pytest.raises(ActionRefused, match="needs at least one photo"):
            _open(order, buyer, reason=reason, photos=[])
    assert not order.disputes.exists()


def test_only_the_buyer_opens_and_only_one_at_a_time(order, buyer, other_buyer, seller):
    for intruder in (other_buyer, seller):
        with pytest.raises(ActionRefused, match="Only the buyer"):
            _open(order, intruder)
    first = _open(order, buyer)
    with pytest.raises(ActionRefused, match=f"{first.reference} is already open"):
        _open(order, buyer)


@pytest.mark.parametrize(
    ("remedy", "amount", "error"),
    [
        (Remedy.PARTIAL_REFUND, "50.01", "cannot be more than 50.00 USD"),
        (Remedy.PARTIAL_REFUND, None, "Enter the amount"),
        (Remedy.RETURN_AND_REFUND, "60", "cannot be more than"),
    ],
)
def test_amounts_above_what_was_paid_are_refused(order, buyer, remedy, amount, error):
    with pytest.raises(ActionRefused, match=error):
        _open(order, buyer, remedy=remedy, amount=amount)


def test_full_refund_and_replacement_fix_their_own_amounts(order, buyer):
    dispute = _open(order, buyer, remedy=Remedy.FULL_REFUND, amount="1.00")
    assert selectors.current_offer(dispute, Party.BUYER).amount == Decimal("50.00")
    services.dispute_cancel(dispute=dispute, actor=buyer)
    again = _open(order, buyer, remedy=Remedy.REPLACEMENT, amount="5")
    assert selectors.current_offer(again, Party.BUYER).amount is None


def test_nothing_left_to_refund_is_refused_clearly(buyer, seller):
    dispute = open_dispute(
        buyer=buyer, seller=seller, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    services.dispute_seller_accept(dispute=dispute, actor=seller)
    with pytest.raises(ActionRefused, match="already been refunded"):
        services.dispute_open(
            order=dispute.order,
            actor=buyer,
            reason=Reason.WRONG_ITEM,
            proposal=services.Proposal(Remedy.FULL_REFUND),
            description="again",
        )


def test_seller_accepts_partial_refund_paid_once(
    order, buyer, seller, django_capture_on_commit_callbacks
):
    dispute = _open(order, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        dispute = services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert dispute.state == DisputeState.RESOLVED
    assert dispute.outcome == Outcome.PARTIALLY_REFUNDED
    refund = Refund.objects.get()
    assert (refund.amount, refund.status) == (Decimal("20.00"), RefundStatus.SETTLED)
    assert refund.provider_reference.startswith("rf_")
    assert refundable_amount(order).amount == Decimal("30.00")
    assert not _pending(dispute)
    # the acceptance, then (settled right after commit) the refund paid
    assert _codes(dispute)[-2:] == ["disputes.dispute.seller_accepted", "disputes.refund.settled"]


def test_full_refund_refunds_the_order(order, buyer, seller):
    dispute = _open(order, buyer, remedy=Remedy.FULL_REFUND, amount=None)
    dispute = services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert dispute.outcome == Outcome.REFUNDED
    assert refundable_amount(order).amount == 0


def test_reject_with_counter_offer_then_buyer_accepts_it(order, buyer, seller):
    dispute = _open(order, buyer, amount="30.00")
    dispute = services.dispute_seller_reject(
        dispute=dispute,
        actor=seller,
        explanation="The crack is cosmetic.",
        counter=Proposal(Remedy.PARTIAL_REFUND, Decimal("12.50")),
        photos=[photo("packing.jpg")],
    )
    assert dispute.state == DisputeState.AWAITING_BUYER
    assert DeadlineKind.SELLER_ANSWER not in _pending(dispute)
    counter = selectors.current_offer(dispute, Party.SELLER)
    assert counter.amount == Decimal("12.50")
    assert dispute.messages.get().body == "The crack is cosmetic."
    assert dispute.evidence.filter(party=Party.SELLER).count() == 1

    dispute = services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=counter.pk)
    assert dispute.state == DisputeState.RESOLVED and dispute.agreed_offer == counter
    assert Refund.objects.get().amount == Decimal("12.50")


def test_accepting_a_superseded_offer_is_refused(order, buyer, seller):
    dispute = _open(order, buyer)
    services.dispute_seller_reject(
        dispute=dispute, actor=seller, explanation="No.", counter=Proposal(Remedy.REPLACEMENT)
    )
    old = selectors.current_offer(dispute, Party.SELLER)
    with pytest.raises(StaleState, match="no longer on the table"):
        services.dispute_accept_offer(dispute=dispute, actor=buyer, offer_id=old.pk + 999)


def test_seller_cannot_accept_a_claim_changed_after_they_saw_it(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    seen = selectors.current_offer(dispute, "buyer")
    services.dispute_modify(
        dispute=dispute, actor=buyer, proposal=services.Proposal(Remedy.FULL_REFUND)
    )
    with pytest.raises(StaleState, match="changed the claim"):
        services.dispute_seller_accept(dispute=dispute, actor=seller, offer_id=seen.pk)
    assert not Refund.objects.exists()


def test_buyer_modify_restarts_the_sellers_clock(order, buyer, seller):
    dispute = _open(order, buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    later = timezone.now() + timedelta(days=2)
    offer = services.dispute_modify(
        dispute=dispute,
        actor=buyer,
        proposal=Proposal(Remedy.PARTIAL_REFUND, Decimal("15")),
        now=later,
    )
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.AWAITING_SELLER
    assert _pending(dispute)[DeadlineKind.SELLER_ANSWER] == later + timedelta(
        days=dispute.policy.seller_answer_days
    )
    first = dispute.offers.filter(party=Party.BUYER).first()
    assert first.superseded_by == offer


def test_escalate_and_cancel(order, buyer, seller):
    dispute = _open(order, buyer)
    with pytest.raises(StaleState):  # not before the seller has rejected
        services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    dispute = services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    assert dispute.state == DisputeState.ESCALATED and not _pending(dispute)
    dispute = services.dispute_cancel(dispute=dispute, actor=buyer)
    assert dispute.state == DisputeState.CANCELLED and dispute.closed_at
    assert not Refund.objects.exists()


# Every human act, in a state where it is not allowed or by someone not allowed to do it.
@pytest.mark.parametrize(
    ("act", "who"),
    [
        ("seller_accept", "buyer"),
        ("seller_accept", "other_seller"),
        ("seller_reject", "buyer"),
        ("modify", "seller"),
        ("escalate", "seller"),
        ("cancel", "seller"),
        ("cancel", "other_buyer"),
    ],
)
def test_acts_by_the_wrong_person_are_refused(request, order, buyer, seller, act, who):
    dispute = _open(order, buyer)
    actor = request.getfixturevalue(who)
    if act == "escalate":
        services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
        dispute.refresh_from_db()
    calls = {
        "seller_accept": lambda: services.dispute_seller_accept(dispute=dispute, actor=actor),
        "seller_reject": lambda: services.dispute_seller_reject(
            dispute=dispute, actor=actor, explanation="x"
        ),
        "modify": lambda: services.dispute_modify(
            dispute=dispute, actor=actor, proposal=Proposal(Remedy.REPLACEMENT)
        ),
        "escalate": lambda: services.dispute_escalate_by_buyer(dispute=dispute, actor=actor),
        "cancel": lambda: services.dispute_cancel(dispute=dispute, actor=actor),
    }
    state = dispute.state
    with pytest.raises(ActionRefused, match="not allowed"):
        calls[act]()
    dispute.refresh_from_db()
    assert dispute.state == state


@pytest.mark.parametrize(
    ("state_after", "act"),
    [
        ("resolved", "seller_accept"),
        ("resolved", "modify"),
        ("resolved", "cancel"),
        ("cancelled", "seller_reject"),
        ("cancelled", "message"),
    ],
)
def test_acts_on_a_closed_dispute_are_stale(order, buyer, seller, state_after, act):
    dispute = _open(order, buyer)
    if state_after == "resolved":
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    else:
        services.dispute_cancel(dispute=dispute, actor=buyer)
    calls = {
        "seller_accept": lambda: services.dispute_seller_accept(dispute=dispute, actor=seller),
        "seller_reject": lambda: services.dispute_seller_reject(
            dispute=dispute, actor=seller, explanation="x"
        ),
        "modify": lambda: services.dispute_modify(
            dispute=dispute, actor=buyer, proposal=Proposal(Remedy.REPLACEMENT)
        ),
        "cancel": lambda: services.dispute_cancel(dispute=dispute, actor=buyer),
        "message": lambda: services.dispute_post_message(dispute=dispute, actor=buyer, body="hi"),
    }
    with pytest.raises(StaleState):
        calls[act]()
    assert Refund.objects.count() <= 1


def test_return_path_refunds_when_the_seller_confirms(order, buyer, seller):
    dispute = _open(order, buyer, remedy=Remedy.RETURN_AND_REFUND, amount=None)
    dispute = services.dispute_seller_accept(dispute=dispute, actor=seller)
    assert dispute.state == DisputeState.AWAITING_RETURN
    assert not Refund.objects.exists()
    assert _pending(dispute) == {
        DeadlineKind.RETURN_SHIPMENT: dispute.agreed_at
        + timedelta(days=dispute.policy.return_ship_days)
    }
    with pytest.raises(ActionRefused):
        services.dispute_ship_return(
            dispute=dispute, actor=seller, carrier="dhl", tracking_number="RET0000001"
        )
    dispute = services.dispute_ship_return(
        dispute=dispute, actor=buyer, carrier="dhl", tracking_number="RET0000001"
    )
    assert dispute.state == DisputeState.RETURN_IN_TRANSIT
    assert DeadlineKind.RETURN_RECEIPT in _pending(dispute)
    dispute = services.dispute_confirm_return(dispute=dispute, actor=seller)
    assert dispute.state == DisputeState.RESOLVED and dispute.outcome == Outcome.REFUNDED
    assert Refund.objects.get().amount == Decimal("50.00")
    assert not _pending(dispute)


def test_seller_silence_carries_out_the_buyers_claim(order, buyer):
    dispute = _open(order, buyer)
    due = _pending(dispute)[DeadlineKind.SELLER_ANSWER]
    dispute = services.dispute_resolve_for_seller_silence(dispute=dispute, now=due)
    assert dispute.state == DisputeState.RESOLVED
    assert Refund.objects.get().amount == Decimal("20.00")
    event = dispute.events.last()
    assert event.actor is None and event.code == "disputes.rule.seller_silence"


def test_system_escalation(order, buyer):
    dispute = services.lock(_open(order, buyer))
    services.dispute_escalate_many([(dispute, timezone.now())], rule=DeadlineKind.NEGOTIATION_LIMIT)
    dispute.refresh_from_db()
    assert dispute.state == DisputeState.ESCALATED
    days = dispute.policy.negotiation_days
    assert dispute.events.last().text.startswith(f"No agreement within {days} days of filing")


def test_actions_offered_by_state_and_role(order, buyer, seller, other_buyer):
    dispute = _open(order, buyer)
    assert selectors.dispute_actions(dispute, seller) == {
        "seller_accept",
        "seller_reject",
        "message",
    }
    assert selectors.dispute_actions(dispute, buyer) == {"buyer_modify", "buyer_cancel", "message"}
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    dispute.refresh_from_db()
    assert selectors.dispute_actions(dispute, buyer) == {
        "buyer_modify",
        "buyer_accept_offer",
        "buyer_escalate",
        "buyer_cancel",
        "message",
    }
    assert selectors.dispute_actions(dispute, seller) == {"message"}


def test_an_open_dispute_holds_the_payout(buyer, seller):
    from orders import services as order_services

    order = shipped_order(buyer=buyer, seller=seller)
    order = order_services.order_confirm_receipt(order=order, actor=buyer)
    dispute = _open(order, buyer)
    with pytest.raises(ActionRefused, match="payout waits"):
        order_services.order_complete(order=order, now=order.protection_ends_at)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    order = order_services.order_complete(order=order, now=order.protection_ends_at)
    assert order.state == "completed"
