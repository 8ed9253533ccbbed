"""The marketplace API, /api/v1/: django-ninja, OpenAPI 3.1 served by the app itself.

Each endpoint parses through a schema, calls a service, and answers with a schema; errors are
problem+json (problems.py). Routers by subject are added in `routers.py`."""

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import AuthRateThrottle

from . import problems
from .auth import KeyAuth, caller
from .openapi import ParleyAPI
from .parser import JsonWithoutNul

api = ParleyAPI(
    title="Parley API",
    version="1",
    description="Buyer protection for marketplaces: send orders in, hear every act on a case "
    "through signed webhooks, pay the refunds Parley decides. See docs/integration.md.",
    urls_namespace="api",
    auth=KeyAuth(),
    parser=JsonWithoutNul(),
    throttle=[AuthRateThrottle(settings.PARLEY_API_RATE)],
)
problems.install(api)


@api.get("/ping", summary="Check a key", tags=["keys"])
def ping(request: HttpRequest) -> dict[str, str]:
    """Answers with the integration the key belongs to and its scope."""
    key = caller(request)
    return {"integration": key.integration.name, "scope": key.scope}


# The routers register their endpoints on `api` when imported (so they come after it).
from . import read_routers, routers  # noqa: E402, F401
