from django.urls import path

from config.urls import handler403, handler404, handler500, urlpatterns  # noqa: F401


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*urlpatterns, path("boom/", _boom)]
