from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data (`manage.py seed_demo`): it composes every app's services, so it lives on the
    top floor, above all of them."""

    name = "demo"
    verbose_name = _("Demo data")
