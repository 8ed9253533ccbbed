from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages that compose several apps (the order page with its disputes, the seller's dashboard
    with their standing): they live on the top floor, above every app they read."""

    name = "pages"
    verbose_name = _("Pages")
