from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Max
from django.forms.models import model_to_dict
from django.http import HttpRequest

from .models import Policy


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    """Versions are never edited: "Add policy" starts from the current version's values."""

    list_display = ("version", "created_at", "created_by", "note")

    def has_change_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Policy | None = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        current = Policy.current()
        return model_to_dict(current, exclude=["id", "version", "created_by", "note"])

    def save_model(
        self, request: HttpRequest, obj: Policy, form: forms.ModelForm, change: bool
    ) -> None:
        latest = Policy.objects.aggregate(v=Max("version"))["v"] or 0
        obj.version = latest + 1
        # Only signed-in staff reach the admin; the check narrows the type for created_by.
        obj.created_by = request.user if request.user.is_authenticated else None
        super().save_model(request, obj, form, change)
