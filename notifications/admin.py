from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User
from core.admin import ReadOnlyAdminMixin

from .models import DELIVERY_FILTERS, Delivery, Notification
from .services import notification_retry


class DeliveryFilter(admin.SimpleListFilter):
    title = "email delivery"
    parameter_name = "delivery"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(str(choice.value), str(choice.label)) for choice in Delivery]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(DELIVERY_FILTERS[Delivery(value)]) if value else queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "recipient",
        "subject",
        "delivery_state",
        "attempts",
        "next_attempt_at",
        "short_error",
        "emailed_at",
        "read_at",
    )
    list_filter = (DeliveryFilter, "emailed_at")
    search_fields = ("recipient__username", "subject", "dedupe_key")
    actions = ["retry_delivery"]

    @admin.display(description="delivery")
    def delivery_state(self, obj: Notification) -> str:
        return str(obj.delivery.label)

    @admin.display(description="last error")
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.action(description="Retry email delivery now", permissions=["view"])
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        assert isinstance(request.user, User)
        ids = list(queryset.values_list("id", flat=True))
        count = notification_retry(ids=ids, actor=request.user)
        self.message_user(
            request, f"{count} notification(s) queued for delivery.", messages.SUCCESS
        )
