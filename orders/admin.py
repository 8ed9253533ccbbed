from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Order, OrderEvent, OrderLine, Parcel, Payment, Store


class ReadOnlyAdminMixin:
    """Staff may look; changes go through the services (and their timeline), not raw edits."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    extra = 0


class ParcelInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Parcel
    extra = 0


class PaymentInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Payment
    extra = 0


class OrderEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderEvent
    extra = 0
    fields = ("created_at", "actor", "code", "from_state", "to_state", "message")
    ordering = ("created_at", "id")


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "owner")
    search_fields = ("name", "owner__username")
    raw_id_fields = ("owner",)


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference", "store", "buyer", "state", "total", "currency", "placed_at")
    list_filter = ("state", "currency")
    search_fields = ("reference", "buyer__username", "store__name")
    date_hierarchy = "placed_at"
    list_select_related = ("store", "buyer")
    inlines = [OrderLineInline, PaymentInline, ParcelInline, OrderEventInline]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "order", "code", "actor", "from_state", "to_state")
    list_filter = ("code",)
    search_fields = ("order__reference",)
    list_select_related = ("order", "actor")
