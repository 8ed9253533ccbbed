"""Two people act on one dispute at the same moment: exactly one wins, money moves at most once.

Real threads on PostgreSQL (transactional_db): each thread has its own connection and the row
lock in the services serialises them.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import StaleState
from disputes import services
from disputes.models import DisputeState, Refund
from tests.factories import BuyerFactory, SellerFactory, open_dispute


def _race(*acts):
    barrier = threading.Barrier(len(acts))
    outcomes = [None] * len(acts)

    def run(index, act):
        try:
            barrier.wait()
            act()
            outcomes[index] = "won"
        except StaleState:
            outcomes[index] = "stale"
        except Exception as exc:  # any failure is reported in the assertion
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, act)) for i, act in enumerate(acts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_seller_accepts_while_buyer_cancels(attempt):
    buyer, seller = BuyerFactory(), SellerFactory()
    dispute = open_dispute(buyer=buyer, seller=seller)

    outcomes = _race(
        lambda: services.dispute_seller_accept(dispute=dispute, actor=seller),
        lambda: services.dispute_cancel(dispute=dispute, actor=buyer),
    )

    assert sorted(outcomes) == ["stale", "won"], outcomes
    dispute.refresh_from_db()
    refunds = Refund.objects.filter(dispute=dispute)
    if outcomes[0] == "won":
        assert dispute.state == DisputeState.RESOLVED
        assert [r.amount for r in refunds] == [Decimal("20.00")]
    else:
        assert dispute.state == DisputeState.CANCELLED
        assert not refunds.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_acceptance_twice_at_once_pays_once():
    buyer, seller = BuyerFactory(), SellerFactory()
    dispute = open_dispute(buyer=buyer, seller=seller)
    outcomes = _race(
        lambda: services.dispute_seller_accept(dispute=dispute, actor=seller),
        lambda: services.dispute_seller_accept(dispute=dispute, actor=seller),
    )
    assert sorted(outcomes) == ["stale", "won"], outcomes
    assert Refund.objects.filter(dispute=dispute).count() == 1
