"""Nothing is lost when the broker or the receiver is down: a delivery row is written in the
act's own transaction (and gone with it when the act rolls back); with the broker down the act
still commits and the periodic sweep delivers; a receiver that hangs is cut off at the timeout
and tried again later; a Retry-After given as an HTTP date is honoured."""

import time
from datetime import timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from disputes.models import Dispute
from integration.models import WebhookDelivery
from integration.tasks import deliver_webhooks_task
from integration.webhooks import kick
from integration.webhooks.delivery import deliver_due
from tests.test_webhooks_delivery import Receiver
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    yield receiver
    receiver.stop()


def _order(buyer, seller, url="https://hooks.example.com/parley"):
    integration, _ = integration_with_endpoint(url)
    return integrated_order(integration, buyer=buyer, seller=seller)


def test_the_row_is_written_in_the_acts_transaction_and_rolls_back_with_it(buyer, seller):
    order = _order(buyer, seller)
    with pytest.raises(RuntimeError), transaction.atomic():
        open_on(order, buyer)
        assert WebhookDelivery.objects.count() == 1  # written, not yet committed
        raise RuntimeError("something after the act fails: the act is undone")
    assert not Dispute.objects.exists() and not WebhookDelivery.objects.exists()


class _BrokerDown:
    def send_task(self, *args: object, **kwargs: object) -> None:
        raise OSError("Connection refused")


def test_with_the_broker_down_the_act_commits_and_the_sweep_delivers(
    receiver, buyer, seller, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(kick, "_broker_down_until", None)
    monkeypatch.setattr(kick, "current_app", _BrokerDown())
    order = _order(buyer, seller, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        dispute = open_on(order, buyer)  # the kick after commit fails, quietly
    assert kick._broker_down_until is not None
    assert WebhookDelivery.objects.filter(delivered_at__isnull=True).count() == 1
    assert deliver_webhooks_task() == 1  # what beat runs every minute
    (payload,) = receiver.payloads()
    assert payload["type"] == "case.created"
    assert payload["data"]["case"]["reference"] == dispute.reference


class _Hanging(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        time.sleep(3)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_hanging_receiver_is_cut_off_at_the_timeout_and_tried_again(settings, buyer, seller):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = True
    settings.PARLEY_WEBHOOKS = {**settings.PARLEY_WEBHOOKS, "timeout_seconds": 0.5}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        open_on(_order(buyer, seller, f"http://127.0.0.1:{server.server_address[1]}/"), buyer)
        started = time.monotonic()
        report = deliver_due()
        assert time.monotonic() - started < 2.5  # not the receiver's 3 s
    finally:
        server.shutdown()
        server.server_close()
    assert (report.delivered, report.failed) == (0, 1)
    row = WebhookDelivery.objects.get()
    assert row.attempts == 1 and row.last_status is None and "Timeout" in row.last_error
    first_wait = timedelta(seconds=settings.PARLEY_WEBHOOKS["retry_after_seconds"][0])
    assert row.next_attempt_at >= timezone.now() + first_wait - timedelta(seconds=5)


def test_retry_after_as_an_http_date_is_honoured(receiver, buyer, seller):
    open_on(_order(buyer, seller, receiver.url), buyer)
    now = (timezone.now() + timedelta(seconds=1)).replace(microsecond=0)  # HTTP dates: seconds
    receiver.status = 503
    receiver.headers = {"Retry-After": format_datetime(now + timedelta(hours=3), usegmt=True)}
    with time_machine.travel(now, tick=False):
        deliver_due()
    assert WebhookDelivery.objects.get().next_attempt_at == now + timedelta(hours=3)
