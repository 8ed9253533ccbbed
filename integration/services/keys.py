"""Staff issue and revoke an integration's API keys (the clear key is given back once)."""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import ApiKey, Integration

logger = logging.getLogger(__name__)


@transaction.atomic
def key_issue(integration: Integration, *, scope: str, staff: User | None, name: str = "") -> str:
    """A new key for the integration; returns the clear key, which is never stored. `staff`
    is who asked in the admin (None: the command line, `manage.py create_integration`)."""
    row, key = ApiKey.issue(integration, scope=scope, name=name)
    by = "the command line" if staff is None else staff.pk
    logger.info("API key %s (%s) issued for %s by %s", row.prefix, scope, integration, by)
    return key


@transaction.atomic
def keys_revoke(keys: Iterable[ApiKey], *, staff: User) -> int:
    """Revoke keys at once (a revoked key is refused from its next request); returns how
    many were still live."""
    ids = [key.pk for key in keys]
    revoked = ApiKey.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    logger.info("%s API keys revoked by %s", revoked, staff.pk)
    return revoked
