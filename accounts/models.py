from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.zones import zone_choices


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    ARBITER = "arbiter", _("Arbiter")


class User(AbstractUser):
    """A person using Parley in exactly one role.

    Sellers own a store (orders.Store); arbiters are staff and work the arbitration queue.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BUYER)
    is_lead_arbiter = models.BooleanField(
        default=False, help_text=_("Lead arbiters may reassign cases between arbiters.")
    )
    # Blank until chosen or first seen: the browser's language and zone stand in meanwhile.
    language = models.CharField(
        max_length=8, blank=True, default="", db_default="", choices=settings.LANGUAGES
    )
    time_zone = models.CharField(
        max_length=64, blank=True, default="", db_default="", choices=zone_choices
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_lead_arbiter=False) | models.Q(role=Role.ARBITER),
                name="lead_arbiter_is_arbiter",
            ),
        ]

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_seller(self) -> bool:
        return self.role == Role.SELLER

    @property
    def is_arbiter(self) -> bool:
        return self.role == Role.ARBITER and self.is_staff

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username
