from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "recipient", "subject", "emailed_at", "read_at")
    list_filter = ("emailed_at",)
    search_fields = ("recipient__username", "subject", "dedupe_key")
