"""Delivering webhook rows to a real local receiver: signed (verified with the library), once
each and in order per case after the receiver comes back, backoff then give-up, Retry-After,
410 disabling the endpoint, and a rotated secret signing beside the old one."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from disputes import services
from integration.models import WebhookDelivery, WebhookEndpoint
from integration.webhooks.delivery import deliver_due, replay
from integration.webhooks.services import endpoint_rotate_secret
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers `status`."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status, self.headers = 204, dict[str, str]()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.received]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    yield receiver
    receiver.stop()


def _case(buyer, seller, url, external_id="ORD-1", integration=None):
    if integration is None:
        integration, endpoint = integration_with_endpoint(url)
    else:
        endpoint = integration.endpoints.get()
    order = integrated_order(integration, buyer=buyer, seller=seller, external_id=external_id)
    return integration, endpoint, open_on(order, buyer)


def test_a_delivery_is_signed_so_the_library_verifies_it(receiver, buyer, seller):
    _, endpoint, dispute = _case(buyer, seller, receiver.url)
    assert deliver_due().delivered == 1
    ((headers, body),) = receiver.received
    payload = Webhook(endpoint.secret).verify(body, headers)
    assert payload["type"] == "case.created"
    assert payload["data"]["case"]["reference"] == dispute.reference
    assert headers["webhook-id"] == payload["id"]
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(body.replace(b"damaged", b"DAMAGED"), headers)
    row = WebhookDelivery.objects.get()
    assert row.delivered_at is not None and row.last_status == 204 and row.attempts == 1


def test_a_receiver_down_then_up_gets_each_event_once_in_order_per_case(buyer, seller, settings):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    with socket.socket() as probe:  # a port nobody listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/hooks"
    integration, _, first = _case(buyer, seller, url, "A")
    *_, second = _case(buyer, seller, url, "B", integration)
    for dispute in (first, second):
        services.dispute_post_message(dispute=dispute, actor=seller, body="Looking into it.")
        services.dispute_seller_accept(dispute=dispute, actor=seller)
    total = WebhookDelivery.objects.count()
    report = deliver_due()
    assert report.delivered == 0 and report.failed == 2  # only each case's first was tried
    receiver = Receiver(port)
    try:
        assert deliver_due().delivered == 0  # their wait is not over
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert deliver_due().delivered == total
            deliver_due()
    finally:
        receiver.stop()
    payloads = receiver.payloads()
    assert len(payloads) == total == len({p["id"] for p in payloads})
    for dispute in (first, second):
        numbers = [
            p["sequence"] for p in payloads if p["data"]["case"]["reference"] == dispute.reference
        ]
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_failing_receiver_is_retried_with_growing_waits_then_given_up(receiver, buyer, seller):
    receiver.status = 500
    _case(buyer, seller, receiver.url)
    waits = settings.PARLEY_WEBHOOKS["retry_after_seconds"]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for wait in waits:
            deliver_due()
            row = WebhookDelivery.objects.get()
            assert row.next_attempt_at == timezone.now() + timedelta(seconds=wait)
            clock.move_to(row.next_attempt_at - timedelta(seconds=1))
            assert deliver_due().failed == 0  # one second early: not tried
            clock.move_to(row.next_attempt_at)
        assert deliver_due().given_up == 1
    row = WebhookDelivery.objects.get()
    assert row.attempts == len(waits) + 1 == len(receiver.received)
    assert row.gave_up_at - start == timedelta(seconds=sum(waits))
    assert timedelta(days=2.5) < row.gave_up_at - start < timedelta(days=3.5)
    assert row.last_status == 500 and row.delivered_at is None


def test_a_given_up_delivery_is_replayed_by_staff(receiver, buyer, seller):
    _case(buyer, seller, receiver.url)
    WebhookDelivery.objects.update(gave_up_at=timezone.now())
    assert deliver_due().delivered == 0
    replay(list(WebhookDelivery.objects.all()))
    assert deliver_due().delivered == 1 and len(receiver.received) == 1


def test_retry_after_from_the_receiver_is_honoured(receiver, buyer, seller):
    receiver.status, receiver.headers = 503, {"Retry-After": "7200"}
    _case(buyer, seller, receiver.url)
    with time_machine.travel(timezone.now(), tick=False):
        deliver_due()
        row = WebhookDelivery.objects.get()
        assert row.next_attempt_at == timezone.now() + timedelta(hours=2)


def test_410_gone_disables_the_endpoint_and_later_events_wait(receiver, buyer, seller):
    receiver.status = 410
    _, endpoint, dispute = _case(buyer, seller, receiver.url)
    deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is not None and "410" in endpoint.disabled_reason
    services.dispute_post_message(dispute=dispute, actor=seller, body="Hello?")
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        deliver_due()
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() >= 1


def test_a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(receiver, buyer, seller):
    _, endpoint, _ = _case(buyer, seller, receiver.url)
    old = endpoint.secret
    new = endpoint_rotate_secret(endpoint)
    assert new != old and new.startswith("whsec_")
    deliver_due()
    ((headers, body),) = receiver.received
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers)
    endpoint.refresh_from_db()
    with time_machine.travel(endpoint.previous_secret_until + timedelta(seconds=1)):
        replay(list(WebhookDelivery.objects.all()))
        deliver_due()
        headers, body = receiver.received[1]
        assert len(headers["webhook-signature"].split(" ")) == 1
        assert Webhook(new).verify(body, headers)["type"] == "case.created"
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)
    assert WebhookEndpoint.objects.get().secret == new
