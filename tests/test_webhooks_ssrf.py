"""Webhooks never go to private, loopback or link-local addresses unless the setting allows
it: the host is resolved and every address checked before anything is sent."""

import socket

import pytest

from integration.models import WebhookDelivery
from integration.webhooks.delivery import deliver_due
from integration.webhooks.guard import Refused, resolve
from tests.test_webhooks_delivery import Receiver
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on


@pytest.fixture
def no_private(settings):
    settings.PARLEY_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",
        "http://127.8.9.10:8080/hooks",
        "https://10.1.2.3/hooks",
        "http://192.168.1.20/hooks",
        "http://172.16.0.5/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://[fe80::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",
        "http://0.0.0.0/hooks",
        "http://localhost/hooks",
        "ftp://example.com/hooks",
    ],
)
def test_non_public_destinations_are_refused(no_private, url):
    with pytest.raises(Refused):
        resolve(url)


def test_a_hostname_resolving_to_loopback_is_refused(no_private, monkeypatch):
    def fake(host, port, *args, **kwargs):
        assert host == "hooks.example.com"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(Refused, match=r"127\.0\.0\.1"):
        resolve("https://hooks.example.com/parley")


def test_a_public_address_is_sent_to_that_address_with_the_host_name_kept(no_private, monkeypatch):
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    destination = resolve("https://hooks.example.com/parley?x=1")
    assert destination.url == "https://93.184.216.34:443/parley?x=1"
    assert destination.host_header == "hooks.example.com"
    assert destination.server_name == "hooks.example.com"


@pytest.mark.django_db
def test_a_local_receiver_gets_nothing_while_private_addresses_are_refused(
    no_private, buyer, seller
):
    receiver = Receiver()
    try:
        integration, _ = integration_with_endpoint(receiver.url)
        open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
        assert deliver_due().failed == 1
    finally:
        receiver.stop()
    assert receiver.received == []
    row = WebhookDelivery.objects.get()
    assert row.last_error.startswith("refused:") and row.delivered_at is None
    assert "PARLEY_WEBHOOKS_ALLOW_PRIVATE" in row.last_error  # what staff read in the log
