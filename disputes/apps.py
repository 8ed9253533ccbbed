from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from . import (
            events,  # noqa: F401  (registers the disputes app's event codes)
            told,  # noqa: F401  (the words of its notes that are no event's)
        )
        from .clocks import catalogue  # noqa: F401  (and those of staff changes to a clock)
