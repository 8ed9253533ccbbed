"""Every state × every person: exactly the acts the policy allows are offered, and a service
call for any other act is refused without changing anything."""

from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ActionRefused
from disputes import selectors, services
from disputes.models import Dispute, DisputeState, Offer, Party, Remedy
from policies.models import Policy
from tests.factories import shipped_order

pytestmark = pytest.mark.django_db

S = DisputeState
EXPECTED = {
    S.AWAITING_SELLER: {
        "buyer": {"buyer_modify", "buyer_cancel", "message"},
        "seller": {"seller_accept", "seller_reject", "message"},
    },
    S.AWAITING_BUYER: {
        "buyer": {
            "buyer_modify",
            "buyer_accept_offer",
            "buyer_escalate",
            "buyer_cancel",
            "message",
        },
        "seller": {"message"},
    },
    S.ESCALATED: {"buyer": {"buyer_cancel", "message"}, "seller": {"message"}, "arbiter": {"rule"}},
    S.APPEALED: {"buyer": {"message"}, "seller": {"message"}, "arbiter": {"decide_appeal"}},
    S.AWAITING_RETURN: {"buyer": {"buyer_ship_return", "message"}, "seller": {"message"}},
    S.RETURN_IN_TRANSIT: {"buyer": {"message"}, "seller": {"seller_confirm_return", "message"}},
    S.RESOLVED: {},
    S.CANCELLED: {},
}
PEOPLE = ["buyer", "seller", "other_buyer", "other_seller", "arbiter"]


def _dispute_in(state, buyer, seller) -> Dispute:
    """Factories may start a dispute in any state (a protected field may be set once)."""
    order = shipped_order(buyer=buyer, seller=seller)
    now = timezone.now()
    dispute = Dispute.objects.create(
        reference=f"DS-{state[:8].upper()}",
        order=order,
        store_id=order.store_id,
        policy=Policy.current(),
        reason="damaged",
        description="x",
        state=state,
        opened_at=now,
        seller_clock_started_at=now,
        target_at=now,
        agreed_at=now,
        return_shipped_at=now,
    )
    for party, author in ((Party.BUYER, buyer), (Party.SELLER, seller)):
        Offer.objects.create(
            dispute=dispute,
            party=party,
            author=author,
            remedy=Remedy.RETURN_AND_REFUND,
            amount=Decimal("10.00"),
            currency="USD",
            created_at=now,
        )
    dispute.agreed_offer = dispute.offers.first()
    dispute.save()
    return dispute


def test_every_state_is_in_the_table():
    assert set(EXPECTED) == set(DisputeState.values)


@pytest.mark.parametrize("state", list(DisputeState))
def test_acts_offered_per_state_and_person(request, state, buyer, seller):
    dispute = _dispute_in(state, buyer, seller)
    for who in PEOPLE:
        person = request.getfixturevalue(who)
        offered = selectors.dispute_actions(dispute, person)
        assert offered == EXPECTED[state].get(who, set()), (state, who)


def _calls(dispute, actor):
    offer_id = services.current_offer(dispute, Party.SELLER).pk
    return {
        "seller_accept": lambda: services.dispute_seller_accept(dispute=dispute, actor=actor),
        "seller_reject": lambda: services.dispute_seller_reject(
            dispute=dispute, actor=actor, explanation="x"
        ),
        "buyer_modify": lambda: services.dispute_modify(
            dispute=dispute, actor=actor, proposal=services.Proposal(Remedy.REPLACEMENT)
        ),
        "buyer_accept_offer": lambda: services.dispute_accept_offer(
            dispute=dispute, actor=actor, offer_id=offer_id
        ),
        "buyer_escalate": lambda: services.dispute_escalate_by_buyer(dispute=dispute, actor=actor),
        "buyer_cancel": lambda: services.dispute_cancel(dispute=dispute, actor=actor),
        "buyer_ship_return": lambda: services.dispute_ship_return(
            dispute=dispute, actor=actor, carrier="dhl", tracking_number="RET00000001"
        ),
        "seller_confirm_return": lambda: services.dispute_confirm_return(
            dispute=dispute, actor=actor
        ),
        "message": lambda: services.dispute_post_message(dispute=dispute, actor=actor, body="hi"),
        "appeal": lambda: services.dispute_appeal(dispute=dispute, actor=actor, statement="x"),
    }


@pytest.mark.parametrize("state", list(DisputeState))
@pytest.mark.parametrize("who", ["buyer", "seller", "other_buyer"])
def test_every_act_not_offered_is_refused(request, state, who, buyer, seller):
    dispute = _dispute_in(state, buyer, seller)
    person = request.getfixturevalue(who)
    allowed = EXPECTED[state].get(who, set())
    for act, call in _calls(dispute, person).items():
        if act in allowed:
            continue
        with pytest.raises(ActionRefused):
            call()
        dispute.refresh_from_db()
        assert dispute.state == state, (act, who)
    assert not dispute.refunds.exists()
