from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin
from core.errors import ActionRefused

from .ledger import refund_reissue
from .models import Deadline, Dispute, DisputeEvent, EvidenceItem, Message, Offer, Refund

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups  # the stubs' name for admin fields

_LABELS = {"rule": _("Rule on this case"), "decide_appeal": _("Decide the appeal")}


class OfferInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Offer
    extra = 0
    fields = ("created_at", "party", "author", "remedy", "amount", "currency", "superseded_by")


class DeadlineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Deadline
    extra = 0
    fields = ("kind", "due_at", "status", "closed_at")


class EvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EvidenceItem
    extra = 0
    fields = ("created_at", "party", "original_name", "width", "height", "size", "sha256")


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DisputeEvent
    extra = 0
    fields = ("created_at", "actor", "code", "from_state", "to_state", "text")
    readonly_fields = fields


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    extra = 0
    fields = ("created_at", "amount", "currency", "status", "source", "idempotency_key")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change goes through disputes.services (arbiters act in their queue;
    the arbitration app adds its queue actions to this page)."""

    list_display = ("reference", "order", "reason", "state", "outcome", "opened_at", "clocks")
    list_filter = ("state", "reason", "outcome")
    search_fields = ("reference", "order__reference")
    list_select_related = ("order",)
    inlines = [OfferInline, DeadlineInline, EvidenceInline, RefundInline, EventInline]

    readonly_fields = ("next_steps",)

    @admin.display(description=_("Clocks"))
    def clocks(self, dispute: Dispute) -> str:
        url = reverse("arbitration:case_clocks", kwargs={"dispute_ref": dispute.reference})
        return format_html('<a href="{}">{}</a>', url, _("Extend or pause"))

    @admin.display(description=_("What staff can do now"))
    def next_steps(self, dispute: Dispute) -> str:
        """Only the transitions the state allows, each through its service (never a raw edit)."""
        names = [
            t.name
            for t in dispute.get_available_state_transitions()
            if t.name in ("rule", "decide_appeal")
        ]
        case = reverse("arbitration:case", kwargs={"dispute_ref": dispute.reference})
        clocks = reverse("arbitration:case_clocks", kwargs={"dispute_ref": dispute.reference})
        links = [format_html('<a href="{}#ruling">{}</a>', case, _LABELS[n]) for n in names]
        links.append(format_html('<a href="{}">{}</a>', clocks, _("Extend or pause a deadline")))
        return format_html_join(" · ", "{}", ((link,) for link in links))

    def get_fields(self, request: HttpRequest, obj: Dispute | None = None) -> "_FieldGroups":
        return ["next_steps", *[f for f in super().get_fields(request, obj) if f != "next_steps"]]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "order", "dispute", "amount", "currency", "status", "source")
    list_filter = ("status", "currency")
    search_fields = ("order__reference", "idempotency_key", "provider_reference")
    actions = ["pay_again"]

    @admin.action(description=_("Pay the selected failed refunds again"))
    def pay_again(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        paid, refused = 0, []
        for refund in queryset.order_by("pk"):
            try:
                refund_reissue(refund_id=refund.pk, by=request.user)  # type: ignore[arg-type]
                paid += 1
            except ActionRefused as refusal:
                refused.append(f"{refund}: {refusal}")
        if paid:
            said = ngettext("%d failed refund paid again.", "%d failed refunds paid again.", paid)
            self.message_user(request, said % paid, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("dispute", "kind", "due_at", "status")
    list_filter = ("kind", "status")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "dispute", "author")


@admin.register(DisputeEvent)
class DisputeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "dispute", "code", "actor", "from_state", "to_state")
    list_filter = ("code",)
