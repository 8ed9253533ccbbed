from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from orders.admin import ReadOnlyAdminMixin

from .models import Deadline, Dispute, DisputeEvent, EvidenceItem, Message, Offer, Refund


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
    fields = ("created_at", "actor", "code", "from_state", "to_state", "message")


class RefundInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Refund
    extra = 0
    fields = ("created_at", "amount", "currency", "status", "source", "idempotency_key")


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change goes through disputes.services (arbiters act in their queue)."""

    list_display = ("reference", "order", "reason", "state", "outcome", "opened_at", "clocks")
    list_filter = ("state", "reason", "outcome")
    search_fields = ("reference", "order__reference")
    list_select_related = ("order",)
    inlines = [OfferInline, DeadlineInline, EvidenceInline, RefundInline, EventInline]

    @admin.display(description="Clocks")
    def clocks(self, dispute: Dispute) -> str:
        url = reverse("arbitration:case_clocks", kwargs={"dispute_ref": dispute.reference})
        return format_html('<a href="{}">Extend or pause</a>', url)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "order", "dispute", "amount", "currency", "status", "source")
    list_filter = ("status", "currency")
    search_fields = ("order__reference", "idempotency_key", "provider_reference")


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
