from django.contrib import admin
from django.urls import include, path

from .health import health

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
