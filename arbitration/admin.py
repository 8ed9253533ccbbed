from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import RationaleTemplate, Ruling


@admin.register(Ruling)
class RulingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "dispute", "arbiter", "outcome", "amount", "seller_violation")
    list_filter = ("outcome", "seller_violation")


@admin.register(RationaleTemplate)
class RationaleTemplateAdmin(admin.ModelAdmin):
    """Staff keep the starting texts of rulings here, one per kind of claim."""

    list_display = ("reason",)
