from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from health_check.views import HealthCheckView
from redis.asyncio import Redis

health = HealthCheckView.as_view(
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

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("orders.urls")),
    path("", include("disputes.urls")),
    path("", include("arbitration.urls")),
    path("", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
