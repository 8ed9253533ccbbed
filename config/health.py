"""/health/: a load balancer learns up or down; only staff (or a monitor holding the token)
learn which check failed and where the services are."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.views import HealthCheckView
from redis.asyncio import Redis

_detailed = HealthCheckView.as_view(
    checks=[
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
        (
            "health_check.contrib.redis.Redis",
            {"client_factory": lambda: Redis.from_url(settings.REDIS_URL)},
        ),
    ]
)


async def _may_see_details(request: HttpRequest) -> bool:
    user = await request.auser()
    if user.is_authenticated and user.is_staff:
        return True
    token = settings.PARLEY_HEALTH_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


async def health(request: HttpRequest) -> HttpResponse:
    response = await _detailed(request)
    if await _may_see_details(request):
        return response
    healthy = response.status_code == 200
    return JsonResponse({"status": "ok" if healthy else "unavailable"}, status=response.status_code)
