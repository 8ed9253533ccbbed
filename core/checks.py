"""Parley's own entries in `manage.py check --deploy` (Django's deployment checklist)."""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def sandbox_is_not_production(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """A sandbox lets every party of a case move its clocks on (the test clock)."""
    if not settings.PARLEY_SANDBOX:
        return []
    return [
        Warning(
            "PARLEY_SANDBOX is on: the buyer, the seller and the marketplace of every case can "
            "make its deadlines fall due at once (the test clock).",
            hint="Set it only on demo and staging deployments, never in production.",
            id="parley.W001",
        )
    ]
