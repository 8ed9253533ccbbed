from django.apps import AppConfig


class ArbitrationConfig(AppConfig):
    name = "arbitration"
    verbose_name = "Arbitration"

    def ready(self) -> None:
        from . import events  # noqa: F401  (registers the arbitration app's event codes)
