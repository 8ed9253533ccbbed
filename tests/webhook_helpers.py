"""Shared set-up for the webhook tests: an integration with an endpoint, and its orders."""

from decimal import Decimal

from disputes import services
from disputes.models import Reason, Remedy
from integration.models import ExternalRef, Integration, RefKind
from integration.webhooks.services import endpoint_create
from tests.factories import photo, shipped_order


def integration_with_endpoint(url: str = "https://hooks.example.com/parley", **kwargs):
    integration = Integration.objects.create(name=kwargs.pop("name", "Marketplace"))
    endpoint = endpoint_create(integration, url=url, event_types=kwargs.pop("event_types", []))
    return integration, endpoint


def integrated_order(integration, *, buyer, seller, external_id: str = "ORD-1", **kwargs):
    order = shipped_order(buyer=buyer, seller=seller, **kwargs)
    ExternalRef.objects.create(
        integration=integration, kind=RefKind.ORDER, external_id=external_id, object_id=order.pk
    )
    return order


def open_on(order, buyer, **kwargs):
    return services.dispute_open(
        order=order,
        actor=buyer,
        reason=Reason.DAMAGED,
        proposal=services.Proposal(Remedy.PARTIAL_REFUND, Decimal("20")),
        description="The lid arrived cracked.",
        photos=[photo()],
        **kwargs,
    )
