from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from accounts.access import AuthenticatedRequest
from arbitration.services import case_reassign, case_release
from core.admin import ReadOnlyAdminMixin
from core.errors import ActionRefused

from .models import Deadline, Dispute, DisputeEvent, EvidenceItem, Message, Offer, Refund

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups  # the stubs' name for admin fields

_LABELS = {"rule": "Rule on this case", "decide_appeal": "Decide the appeal"}


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
    """Read-only: every change goes through disputes.services (arbiters act in their queue)."""

    list_display = ("reference", "order", "reason", "state", "outcome", "opened_at", "clocks")
    list_filter = ("state", "reason", "outcome")
    search_fields = ("reference", "order__reference")
    list_select_related = ("order",)
    inlines = [OfferInline, DeadlineInline, EvidenceInline, RefundInline, EventInline]

    readonly_fields = ("next_steps",)
    actions = ["assign_to_me", "release_mine"]

    @admin.display(description="Clocks")
    def clocks(self, dispute: Dispute) -> str:
        url = reverse("arbitration:case_clocks", kwargs={"dispute_ref": dispute.reference})
        return format_html('<a href="{}">Extend or pause</a>', url)

    @admin.display(description="What staff can do now")
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
        links.append(format_html('<a href="{}">Extend or pause a deadline</a>', clocks))
        return format_html_join(" · ", "{}", ((link,) for link in links))

    def get_fields(self, request: HttpRequest, obj: Dispute | None = None) -> "_FieldGroups":
        return ["next_steps", *[f for f in super().get_fields(request, obj) if f != "next_steps"]]

    @admin.action(description="Assign the selected cases to me (lead arbiters)")
    def assign_to_me(self, request: AuthenticatedRequest, queryset: QuerySet[Dispute]) -> None:
        self._each(
            request,
            queryset,
            lambda d: case_reassign(dispute=d, lead=request.user, to=request.user),
        )

    @admin.action(description="Release my selected cases to the queue")
    def release_mine(self, request: AuthenticatedRequest, queryset: QuerySet[Dispute]) -> None:
        self._each(request, queryset, lambda d: case_release(dispute=d, arbiter=request.user))

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Dispute], act: Callable[[Dispute], object]
    ) -> None:
        done = 0
        for dispute in queryset:
            try:
                act(dispute)
                done += 1
            except ActionRefused as exc:
                self.message_user(request, f"{dispute.reference}: {exc.message}", messages.WARNING)
        if done:
            self.message_user(request, f"{done} case(s) updated.", messages.SUCCESS)


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
