"""The integration's rows: the marketplaces (integrations), their API keys, and the external ids
that tie a marketplace's objects to Parley's."""

from .intake import IdempotencyRecord, LoginLink
from .keys import ApiKey, Integration, Scope
from .refs import ExternalRef, RefKind
from .webhooks import WebhookDelivery, WebhookEndpoint, WebhookSequence

__all__ = [
    "ApiKey",
    "ExternalRef",
    "IdempotencyRecord",
    "Integration",
    "LoginLink",
    "RefKind",
    "Scope",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookSequence",
]
