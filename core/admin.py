"""Admin pieces shared by every app."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Staff may look; changes go through the services (and their timeline), not raw edits."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
