"""Money flows through the marketplace: a refund Parley decides on an order a marketplace sent
waits, pending, for that marketplace to pay and report it; Parley's own gateway (and its retry
sweep) leave it alone. Orders typed into Parley itself are settled by the gateway as before."""

import pytest

from disputes import services
from disputes.models import Refund, RefundStatus
from disputes.settlement import settle_pending
from integration.models import RefKind
from tests.api_helpers import market
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def _accepted(buyer, seller, *, owned_by=None):
    dispute = open_dispute(buyer=buyer, seller=seller)
    if owned_by is not None:
        owned_by.owns(RefKind.ORDER, dispute.order, f"o-{dispute.order.pk}")
    return dispute


def test_a_marketplaces_refund_waits_for_its_report(
    client, buyer, seller, django_capture_on_commit_callbacks
):
    m = market("Bazaar")
    dispute = _accepted(buyer, seller, owned_by=m)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    refund = Refund.objects.get(dispute=dispute)
    assert (refund.status, refund.settles_outside) == (RefundStatus.PENDING, True)
    assert refund.settlement_attempts == 0  # the gateway was never called
    assert settle_pending(older_than_seconds=0).settled == 0
    body = {"outcome": "settled", "provider_reference": "re_1"}
    assert m.post(client, f"/refunds/{refund.pk}/settlement", body).status_code == 200
    refund.refresh_from_db()
    assert (refund.status, refund.provider_reference) == (RefundStatus.SETTLED, "re_1")


def test_parleys_own_orders_are_settled_by_the_gateway(
    buyer, seller, django_capture_on_commit_callbacks
):
    dispute = _accepted(buyer, seller)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    refund = Refund.objects.get(dispute=dispute)
    assert (refund.status, refund.settles_outside) == (RefundStatus.SETTLED, False)


@pytest.mark.parametrize(
    "report, shown",
    [
        (None, "Being paid to the original payment method"),
        ({"outcome": "settled", "provider_reference": "re_1"}, "Paid on"),
        ({"outcome": "failed", "reason": "Card closed"}, "Failed: the payment provider could not"),
    ],
)
def test_the_buyer_sees_the_status_the_marketplace_reported(
    client, buyer, seller, report, shown, django_capture_on_commit_callbacks
):
    m = market("Bazaar")
    dispute = _accepted(buyer, seller, owned_by=m)
    with django_capture_on_commit_callbacks(execute=True):
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    refund = Refund.objects.get(dispute=dispute)
    if report is not None:
        assert m.post(client, f"/refunds/{refund.pk}/settlement", report).status_code == 200
    client.force_login(buyer)
    page = client.get(f"/disputes/{dispute.reference}/").content.decode()
    assert shown in page
