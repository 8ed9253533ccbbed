from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app builds on, importing none of them: errors, money, bulk writes, the
    checked transition, references, moments, and the one timeline recorder."""

    name = "core"
    verbose_name = "Parley core"
