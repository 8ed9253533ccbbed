from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

ARBITERS_GROUP = "Arbiters"
# Arbiters read everything in the admin; they act through the arbitration queue.
_PARLEY_APPS = ("accounts", "policies", "orders", "disputes", "arbitration")


def ensure_arbiter_group(sender: AppConfig, **kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=ARBITERS_GROUP)
    view_perms = Permission.objects.filter(
        content_type__app_label__in=_PARLEY_APPS, codename__startswith="view_"
    )
    group.permissions.add(*view_perms)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Every app's post_migrate: the view permissions of later apps exist only after theirs.
        post_migrate.connect(ensure_arbiter_group, dispatch_uid="ensure_arbiter_group")
