"""Webhooks: where an integration hears of every act (its endpoints, each with a signing secret
and an event filter), the per-case sequence numbers, and one delivery row per event and
endpoint, written in the act's own transaction and delivered by Celery afterwards."""

import base64
import secrets
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .keys import Integration

SECRET_PREFIX = "whsec_"  # Standard Webhooks' prefix: the rest is base64 of the key bytes


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL of the integration's that receives signed events. During a rotation both secrets
    sign (the header carries a signature from each) until `previous_secret_until`."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=80, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The event types it wants (e.g. ["case.created", "refund.*"]); empty: every type.
    event_types = models.JSONField(default=list, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["integration"],
                condition=models.Q(disabled_at__isnull=True),
                name="webhook_endpoint_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.integration})"

    def wants(self, event_type: str) -> bool:
        if not self.event_types:
            return True
        for wanted in self.event_types:
            if wanted == event_type:
                return True
            if wanted.endswith(".*") and event_type.startswith(wanted[:-1]):
                return True
        return False

    def signing_secrets(self, now: datetime) -> list[str]:
        """The secrets that sign now: the current one, and the previous one while it lasts."""
        keys = [self.secret]
        until = self.previous_secret_until
        if self.previous_secret and until is not None and now < until:
            keys.append(self.previous_secret)
        return keys


class WebhookSequence(models.Model):
    """The last sequence number given to a case's events (a dispute, or an order's own events
    outside any dispute): allocated under this row's lock, in the act's transaction."""

    scope = models.CharField(max_length=40, unique=True)  # "dispute:12", "order:7"
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope} at {self.last}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: pending until delivered (2xx) or given up."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)  # webhook-id: the same for every endpoint
    event_type = models.CharField(max_length=64)
    scope = models.CharField(max_length=40)  # the case whose order is kept
    sequence = models.BigIntegerField()
    payload = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
                name="webhook_delivery_due",
            ),
            models.Index(
                fields=["endpoint", "scope", "sequence"],
                condition=models.Q(delivered_at__isnull=True, gave_up_at__isnull=True),
                name="webhook_delivery_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"

    @property
    def status(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.gave_up_at:
            return "given up"
        return "pending"


PENDING = models.Q(delivered_at__isnull=True, gave_up_at__isnull=True)
