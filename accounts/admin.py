from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "is_lead_arbiter", "is_staff", "is_active")
    list_filter = ("role", "is_lead_arbiter", "is_staff", "is_active")
    # Django's UserAdmin always has fieldsets; the stubs type the attribute as optional.
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Parley", {"fields": ("role", "is_lead_arbiter")}),
    )
