from collections.abc import Callable
from typing import cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from core.admin import ReadOnlyAdminMixin
from core.errors import ActionRefused
from disputes.admin import DisputeAdmin
from disputes.models import Dispute

from .models import RationaleTemplate, Ruling
from .services import case_reassign, case_release


@admin.register(Ruling)
class RulingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "dispute", "arbiter", "outcome", "amount", "seller_violation")
    list_filter = ("outcome", "seller_violation")


@admin.register(RationaleTemplate)
class RationaleTemplateAdmin(admin.ModelAdmin):
    """Staff keep the starting texts of rulings here, one per kind of claim."""

    list_display = ("reason",)


class CaseAdmin(DisputeAdmin):
    """The disputes app's page, with the queue's acts for staff (through arbitration's
    services, like the queue's own buttons)."""

    actions = ["assign_to_me", "release_mine"]

    @admin.action(description=gettext_lazy("Assign the selected cases to me (lead arbiters)"))
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        lead = cast(User, request.user)  # the admin site lets only signed-in staff in
        self._each(request, queryset, lambda d: case_reassign(dispute=d, lead=lead, to=lead))

    @admin.action(description=gettext_lazy("Release my selected cases to the queue"))
    def release_mine(self, request: HttpRequest, queryset: QuerySet[Dispute]) -> None:
        arbiter = cast(User, request.user)
        self._each(request, queryset, lambda d: case_release(dispute=d, arbiter=arbiter))

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
            said = ngettext("%(n)s case updated.", "%(n)s cases updated.", done) % {"n": done}
            self.message_user(request, said, messages.SUCCESS)


admin.site.unregister(Dispute)
admin.site.register(Dispute, CaseAdmin)
