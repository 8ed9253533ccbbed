"""Staff acts on endpoints: create one (its secret shown once), rotate its secret (the old one
keeps signing beside the new for `rotation_overlap_hours`), enable one again after a 410."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Integration, WebhookEndpoint
from ..models.webhooks import new_secret
from .catalogue import all_types


class BadEventTypes(ValueError):
    pass


def check_event_types(types: list[str]) -> list[str]:
    known = all_types()
    for wanted in types:
        prefix = wanted[:-1] if wanted.endswith(".*") else None
        if wanted not in known and not (prefix and any(t.startswith(prefix) for t in known)):
            raise BadEventTypes(f"Unknown event type: {wanted}")
    return types


def endpoint_create(
    integration: Integration, *, url: str, event_types: list[str], description: str = ""
) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        integration=integration,
        url=url,
        event_types=check_event_types(event_types),
        description=description,
    )


@transaction.atomic
def endpoint_rotate_secret(endpoint: WebhookEndpoint) -> str:
    """A new secret; the current one keeps signing beside it for the overlap. Returns the new
    secret (shown once to staff)."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    overlap = timedelta(hours=settings.PARLEY_WEBHOOKS["rotation_overlap_hours"])
    locked.previous_secret = locked.secret
    locked.previous_secret_until = timezone.now() + overlap
    locked.secret = new_secret()
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    endpoint.refresh_from_db()
    return locked.secret


def endpoint_enable(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=None, disabled_reason="")
