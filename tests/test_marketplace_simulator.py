"""The marketplace simulator (examples/marketplace_simulator.py) played against the live test
server: an order in, shipped, the buyer's dispute on Parley's side, the seller silent until the
clock decides, every webhook verified in order, and the refund reported settled."""

import re
from datetime import datetime, timedelta

import httpx
import pytest
import time_machine

from accounts.models import User
from disputes.models import Deadline, DeadlineKind, DeadlineStatus, Refund, RefundStatus
from examples import marketplace_simulator as sim
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from integration.webhooks.delivery import deliver_due
from integration.webhooks.services import endpoint_create
from orders.models import Order
from orders.services import order_confirm_receipt
from tests.webhook_helpers import open_on
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db(transaction=True)
SECOND = timedelta(seconds=1)
WAIT = 10.0  # seconds the simulator waits for an event that is already delivered


@pytest.fixture
def parley(live_server, settings):
    """A marketplace's integration with a write key and an endpoint at the simulator's
    receiver; login links point at the live server."""
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    settings.PARLEY_SITE_URL = live_server.url
    integration = Integration.objects.create(name="Simulated market")
    _, key = ApiKey.issue(integration, scope=Scope.WRITE)
    endpoint = endpoint_create(integration, url="http://127.0.0.1:9/hooks", event_types=[])
    receiver = sim.Receiver(endpoint.secret)
    endpoint.url = receiver.url
    endpoint.save(update_fields=["url"])
    with httpx.Client(timeout=10) as client:
        yield sim.Api(live_server.url, key, client), receiver
    receiver.stop()


def _ours(kind: RefKind, external_id: str, model):
    ref = ExternalRef.objects.get(kind=kind, external_id=external_id)
    return model.objects.get(pk=ref.object_id)


def _seller_silent_until(dispute) -> datetime:
    due = Deadline.objects.get(
        dispute=dispute, kind=DeadlineKind.SELLER_ANSWER, status=DeadlineStatus.PENDING
    ).due_at
    assert due is not None
    return due


def test_the_simulator_plays_an_order_to_a_settled_refund(parley):
    api, receiver = parley
    shop = sim.Shop.fresh()  # shipped six days ago: a dispute may open at once
    sent = sim.send_order(api, shop)
    sim.ship(api, shop)
    order = _ours(RefKind.ORDER, shop.order, Order)
    buyer = _ours(RefKind.USER, shop.buyer, User)
    assert sent["reference"] == order.reference and order.lines.count() == 2
    assert order.all_shipped_at == shop.shipped_at

    # Parley's side: the parcel arrives damaged, the buyer opens a dispute.
    order_confirm_receipt(order=order, actor=buyer)
    dispute = open_on(order, buyer)
    deliver_due()
    created = receiver.wait_for("case.created", WAIT)
    assert created["data"]["case"]["reference"] == dispute.reference
    # The simulator tells who may do what by when, and takes the seller to the case.
    link = sim.announce_case(api, shop, created)
    landed = _sign_in(link)
    assert landed.status_code == 302 and landed.headers["location"].endswith(
        f"/disputes/{dispute.reference}/"
    )

    with time_machine.travel(_seller_silent_until(dispute) + SECOND, tick=True):
        enforce_deadlines()
        deliver_due()
        answer = sim.settle_next_refund(api, receiver, WAIT)
        deliver_due()

    refund = Refund.objects.get(pk=answer["id"])
    assert refund.status == RefundStatus.SETTLED
    assert refund.provider_reference == f"re_sim_{refund.pk}" == answer["provider_reference"]
    assert receiver.rejected == 0
    case = [e for e in receiver.events if (e["data"]["case"] or {}).get("reference")]
    assert [e["type"] for e in case][:3] == ["case.created", "refund.created", "case.closed"]
    sequences = [event["sequence"] for event in case]
    assert sequences == list(range(1, len(sequences) + 1))  # in order, none missing


def test_the_buyers_login_link_signs_in_once(parley):
    api, _ = parley
    shop = sim.Shop.fresh()
    sim.send_order(api, shop)
    url = sim.open_login_link(api, shop.buyer)
    assert _sign_in(url).status_code == 302
    assert _sign_in(url).status_code == 410  # another browser, the same link: used


def _sign_in(url: str) -> httpx.Response:
    """Open the link in a fresh browser and press its button."""
    with httpx.Client(timeout=10) as browser:
        page = browser.get(url)
        if page.status_code != 200:
            return page
        assert "Sign in" in page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        return browser.post(url, data={"csrfmiddlewaretoken": token.group(1)})


def test_a_forged_delivery_is_refused_by_the_receiver(parley):
    _, receiver = parley
    response = httpx.post(
        receiver.url,
        content=b'{"type":"refund.created"}',
        headers={"webhook-id": "msg_x", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA"},
    )
    assert response.status_code == 400
    assert receiver.rejected == 1 and receiver.events == []
