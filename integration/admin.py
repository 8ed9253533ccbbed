"""Staff's door to the integrations: create a marketplace, issue its keys (each clear key is
shown once, on the page right after, and stored hashed), revoke them; and the log of login
links (who was signed in, by which marketplace, when; never the token)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from core.admin import ReadOnlyAdminMixin

from .models import ApiKey, Integration, LoginLink, Scope
from .services.keys import key_issue, keys_revoke


class ApiKeyInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApiKey
    extra = 0
    fields = ("prefix", "name", "scope", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields


def _issued(request: HttpRequest, integrations: QuerySet[Integration], scope: str) -> HttpResponse:
    staff = request.user
    assert isinstance(staff, User)
    keys = [(i, key_issue(i, scope=scope, staff=staff)) for i in integrations]
    context = {
        **admin.site.each_context(request),
        "keys": keys,
        "scope": scope,
        "scope_label": Scope(scope).label,
    }
    context["title"] = _("New API keys")
    response = TemplateResponse(request, "integration/admin_keys_issued.html", context)
    add_never_cache_headers(response)
    return response


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
    search_fields = ("name",)
    fields = ("name", "is_active")
    inlines = (ApiKeyInline,)
    actions = ("issue_read_key", "issue_write_key")

    @admin.action(description=gettext_lazy("Issue a read key for the selected integrations"))
    def issue_read_key(self, request: HttpRequest, queryset: QuerySet[Integration]) -> HttpResponse:
        return _issued(request, queryset, Scope.READ)

    @admin.action(
        description=gettext_lazy("Issue a read and write key for the selected integrations")
    )
    def issue_write_key(
        self, request: HttpRequest, queryset: QuerySet[Integration]
    ) -> HttpResponse:
        return _issued(request, queryset, Scope.WRITE)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("prefix", "integration", "name", "scope", "created_at", "revoked_at")
    list_filter = ("scope", "integration")
    actions = ("revoke",)

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        staff = request.user
        assert isinstance(staff, User)
        count = keys_revoke(queryset, staff=staff)
        said = ngettext("%(n)s key revoked.", "%(n)s keys revoked.", count) % {"n": count}
        self.message_user(request, said, messages.SUCCESS)


@admin.register(LoginLink)
class LoginLinkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "integration", "user", "next_path", "expires_at", "used_at")
    list_filter = ("integration", ("used_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__email")
    list_select_related = ("integration", "user")
    exclude = ("digest",)
