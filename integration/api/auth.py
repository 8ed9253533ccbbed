"""Who is calling: an API key, sent as `Authorization: Bearer pk_…`, names its integration and
its scope. A revoked or unknown key is a 401; a read key on a write endpoint is a 403."""

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from ..models import ApiKey
from .problems import Problem


class KeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        if len(token) > 200:
            return None
        key = (
            ApiKey.objects.select_related("integration")
            .filter(
                digest=ApiKey.digest_of(token),
                revoked_at__isnull=True,
                integration__is_active=True,
            )
            .first()
        )
        if key is not None:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
        return key


def caller(request: HttpRequest) -> ApiKey:
    """The key of an authenticated request (the API's auth has run)."""
    key = getattr(request, "auth", None)
    assert isinstance(key, ApiKey), "only called behind KeyAuth"
    return key


def writer(request: HttpRequest) -> ApiKey:
    """The key of a request that changes something: it must have the write scope."""
    key = caller(request)
    if not key.can_write:
        raise Problem(403, "scope_insufficient", "This API key may only read.")
    return key
