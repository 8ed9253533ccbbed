from django.apps import AppConfig
from django.db.models import Field, ForeignObject
from django.utils.translation import gettext_lazy as _

from . import checks, converters  # noqa: F401  (checks: registers the deploy checks)
from .lookups import InArray


class CoreConfig(AppConfig):
    """What every app builds on, importing none of them: errors, money, bulk writes, the
    checked transition, references, moments, and the one timeline recorder."""

    name = "core"
    verbose_name = _("Parley core")

    def ready(self) -> None:
        Field.register_lookup(InArray)
        ForeignObject.register_lookup(InArray)  # (related fields keep their own lookups)
        converters.register()
