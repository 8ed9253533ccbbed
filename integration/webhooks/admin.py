"""Staff's view of webhooks: endpoints (created with a secret shown once, rotated, enabled
again after a 410) and each endpoint's delivery log, filtered by status, with replay."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.forms import ModelForm, ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from core.admin import ReadOnlyAdminMixin

from ..models import WebhookDelivery, WebhookEndpoint
from .delivery import replay
from .kick import kick_delivery
from .services import BadEventTypes, check_event_types, endpoint_enable, endpoint_rotate_secret

STATUS_FILTERS = {
    "pending": Q(delivered_at__isnull=True, gave_up_at__isnull=True),
    "failing": Q(delivered_at__isnull=True, gave_up_at__isnull=True, attempts__gt=0),
    "delivered": Q(delivered_at__isnull=False),
    "given_up": Q(gave_up_at__isnull=False),
}
STATUS_LABELS = {
    "pending": pgettext_lazy("webhook delivery", "pending"),
    "failing": pgettext_lazy("webhook delivery", "failing"),
    "delivered": pgettext_lazy("webhook delivery", "delivered"),
    "given_up": pgettext_lazy("webhook delivery", "given up"),
}


class EndpointForm(ModelForm):
    class Meta:
        model = WebhookEndpoint
        fields = ["integration", "url", "description", "event_types"]

    def clean_event_types(self) -> list[str]:
        value = self.cleaned_data.get("event_types") or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValidationError(_('A list of event types, e.g. ["case.created", "refund.*"].'))
        try:
            return check_event_types(value)
        except BadEventTypes as exc:
            raise ValidationError(str(exc)) from exc


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "integration", "event_types", "disabled_at", "created_at", "log")
    list_filter = ("integration", ("disabled_at", admin.EmptyFieldListFilter))
    readonly_fields = ("previous_secret_until", "disabled_at", "disabled_reason", "created_at")
    actions = ["rotate_secret", "enable"]

    @admin.display(description=gettext_lazy("delivery log"))
    def log(self, obj: WebhookEndpoint) -> str:
        url = reverse("admin:integration_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>', url, obj.pk, _("deliveries")
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("Signing secret for %(url)s (shown once, copy it now): %(secret)s")
                % {"url": obj.url, "secret": obj.secret},
                messages.WARNING,
            )

    @admin.action(
        description=gettext_lazy("Rotate the signing secret (the old one signs for a day more)")
    )
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            secret = endpoint_rotate_secret(endpoint)
            self.message_user(
                request,
                _("New signing secret for %(url)s (shown once, copy it now): %(secret)s")
                % {"url": endpoint.url, "secret": secret},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Enable again (after a 410 or a pause)"))
    def enable(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            endpoint_enable(endpoint)
        n = queryset.count()
        said = ngettext("%(n)s endpoint enabled.", "%(n)s endpoints enabled.", n) % {"n": n}
        self.message_user(request, said, messages.SUCCESS)


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(key, str(STATUS_LABELS[key])) for key in STATUS_FILTERS]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(STATUS_FILTERS[value]) if value in STATUS_FILTERS else queryset


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "event_type",
        "scope",
        "sequence",
        "delivery_status",
        "attempts",
        "last_status",
        "next_attempt_at",
        "short_error",
    )
    list_filter = (StatusFilter, "endpoint", "event_type")
    search_fields = ("event_id", "scope", "event_type")
    list_select_related = ("endpoint__integration",)
    actions = ["replay_deliveries"]

    @admin.display(description=gettext_lazy("status"))
    def delivery_status(self, obj: WebhookDelivery) -> str:
        return str(STATUS_LABELS[obj.status.replace(" ", "_")])

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=gettext_lazy("Replay: deliver again now"), permissions=["view"])
    def replay_deliveries(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = replay(list(queryset))
        kick_delivery()
        said = ngettext("%(n)s delivery queued again.", "%(n)s deliveries queued again.", count) % {
            "n": count
        }
        self.message_user(request, said, messages.SUCCESS)
