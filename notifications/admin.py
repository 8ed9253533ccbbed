from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import User
from core.admin import ReadOnlyAdminMixin

from .models import DELIVERY_FILTERS, Delivery, Notification
from .services import notification_retry


class DeliveryFilter(admin.SimpleListFilter):
    title = _("email delivery")
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
        "said",
        "delivery_state",
        "attempts",
        "next_attempt_at",
        "short_error",
        "emailed_at",
        "read_at",
    )
    list_filter = (DeliveryFilter, "emailed_at")
    # Words are rendered when read: rows are found by code (and old rows by their words).
    search_fields = ("recipient__username", "code", "subject", "dedupe_key")
    actions = ["retry_delivery"]

    @admin.display(description=_("subject"))
    def said(self, obj: Notification) -> str:
        return obj.words.subject

    @admin.display(description=_("delivery"))
    def delivery_state(self, obj: Notification) -> str:
        return str(obj.delivery.label)

    @admin.display(description=_("last error"))
    def short_error(self, obj: Notification) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Retry email delivery now"), permissions=["view"])
    def retry_delivery(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        assert isinstance(request.user, User)
        ids = list(queryset.values_list("id", flat=True))
        count = notification_retry(ids=ids, actor=request.user)
        queued = ngettext(
            "%(count)d notification queued for delivery.",
            "%(count)d notifications queued for delivery.",
            count,
        ) % {"count": count}
        self.message_user(request, queued, messages.SUCCESS)
