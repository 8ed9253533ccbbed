from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationConfig(AppConfig):
    """The marketplace's door: its API (/api/v1/), the webhooks it hears every act through,
    and the login links that send its users in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "integration"
    verbose_name = _("Integration")

    def ready(self) -> None:
        from . import payouts  # noqa: F401  (refunds of its orders are the marketplace's to pay)
        from .webhooks import (
            admin,  # noqa: F401  (staff's endpoints and delivery log)
            events,  # noqa: F401  (listens to every act: its webhook rows)
        )
