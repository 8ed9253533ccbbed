from django.contrib import admin
from django.urls import include, path

from integration.api import api

from .health import health

urlpatterns = [
    path("", include("accounts.urls")),
    # The orders and disputes namespaces include pages composed from several apps.
    path("", include("pages.urls.orders")),
    path("", include("pages.urls.disputes")),
    path("", include("arbitration.urls")),
    path("", include("notifications.urls")),
    path("", include("policies.urls")),
    path("", include("casefile.urls")),
    path("api/v1/", api.urls),
    path("", include("integration.urls")),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
