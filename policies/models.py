from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _days(help_text: "StrOrPromise") -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], help_text=help_text)


class Policy(models.Model):
    """One version of the buyer-protection rules (../shared/policy.md).

    Versions are immutable: staff change the rules by adding a new version. Orders and disputes
    pin the version in force when they began, so a change applies to new cases only.
    """

    version = models.PositiveIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, editable=False
    )
    note = models.CharField(max_length=200, blank=True, help_text=_("Why this version exists."))

    protection_days_after_receipt = _days(
        _("Disputes may be opened until this many days after receipt.")
    )
    dispute_earliest_days_after_shipping = _days(
        _("Earliest a dispute may be opened, in days after all goods shipped.")
    )
    instant_dispute_below_delivery_days = _days(
        _(
            "If the seller's delivery time limit is under this many days, a dispute may open at "
            "once."
        )
    )
    max_delivery_days = _days(_("Longest delivery time limit a seller may set."))
    seller_answer_days = _days(_("Days the seller has to answer a new or modified dispute."))
    negotiation_days = _days(_("Days of negotiation after filing before automatic escalation."))
    return_ship_days = _days(_("Days the buyer has to ship a return."))
    return_receipt_days = _days(_("Days the seller has to confirm a delivered return."))
    return_transit_days = _days(
        _(
            "Days a return is taken to travel when no delivery is recorded: the seller's days to "
            "confirm it run from its shipment plus this."
        )
    )
    replacement_ship_days = _days(
        _("Days the seller has to ship an agreed or ruled replacement, or the buyer is refunded.")
    )
    appeal_days = _days(_("Days after a ruling during which either party may appeal once."))
    resolution_target_days = _days(_("Target days from filing to a final outcome."))
    refund_arrival_business_days = _days(
        _("Business days a refund may take to reach the buyer's original payment method.")
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-version"]

    def __str__(self) -> str:
        return str(_("Policy v%(version)s") % {"version": self.version})

    @property
    def protection_period(self) -> timedelta:
        return timedelta(days=self.protection_days_after_receipt)

    @classmethod
    def current(cls) -> "Policy":
        """The version in force: the newest one, seeded from settings on first use."""
        policy = cls.objects.order_by("-version").first()
        if policy is None:
            policy, _created = cls.objects.get_or_create(
                version=1,
                defaults={**settings.PARLEY_POLICY_DEFAULTS, "note": "Defaults of policy.md"},
            )
        return policy
