from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "role", "is_lead_arbiter", "is_staff", "is_active")
    list_filter = ("role", "is_lead_arbiter", "is_staff", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Parley", {"fields": ("role", "is_lead_arbiter")}))
