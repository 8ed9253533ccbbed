"""Staff manage webhooks in the admin: a new endpoint's secret is shown once, the delivery log
filters by status and endpoint, and a given-up delivery can be replayed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from integration.models import Integration, WebhookDelivery, WebhookEndpoint
from tests.webhook_helpers import integrated_order, integration_with_endpoint, open_on

pytestmark = pytest.mark.django_db


def test_staff_create_an_endpoint_and_see_its_secret_once(admin_client):
    integration = Integration.objects.create(name="Shop")
    url = reverse("admin:integration_webhookendpoint_add")
    response = admin_client.post(
        url,
        {"integration": integration.pk, "url": "https://hooks.example.com/p", "event_types": "[]"},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    page = admin_client.get(reverse("admin:integration_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


def test_an_unknown_event_type_is_refused_with_a_message(admin_client):
    integration = Integration.objects.create(name="Shop")
    response = admin_client.post(
        reverse("admin:integration_webhookendpoint_add"),
        {"integration": integration.pk, "url": "https://x.example/p", "event_types": '["nope"]'},
    )
    assert "Unknown event type: nope" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_filters_and_replays(admin_client, buyer, seller):
    integration, endpoint = integration_with_endpoint()
    open_on(integrated_order(integration, buyer=buyer, seller=seller), buyer)
    WebhookDelivery.objects.update(gave_up_at=timezone.now(), attempts=9)
    log = reverse("admin:integration_webhookdelivery_changelist")
    page = admin_client.get(log, {"status": "given_up", "endpoint__id__exact": endpoint.pk})
    assert page.context["cl"].result_count == 1 and "given up" in page.content.decode()
    assert admin_client.get(log, {"status": "delivered"}).context["cl"].result_count == 0
    ids = list(WebhookDelivery.objects.values_list("pk", flat=True))
    admin_client.post(log, {"action": "replay_deliveries", "_selected_action": ids})
    row = WebhookDelivery.objects.get()
    assert row.gave_up_at is None and row.attempts == 0 and row.next_attempt_at is not None


def test_staff_rotate_a_secret_and_see_the_new_one_once(admin_client):
    _, endpoint = integration_with_endpoint()
    old = endpoint.secret
    response = admin_client.post(
        reverse("admin:integration_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
    )
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    assert endpoint.secret in response.content.decode()
