"""External ids: the marketplace's own id for each object it sent in, unique per integration,
so a retried call finds what the first one made instead of making it twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .keys import Integration


class RefKind(models.TextChoices):
    STORE = "store", _("Store")
    USER = "user", _("User")
    ORDER = "order", _("Order")
    PARCEL = "parcel", _("Parcel")


class ExternalRef(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="refs")
    kind = models.CharField(max_length=16, choices=RefKind.choices)
    external_id = models.CharField(max_length=120)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "kind", "external_id"], name="external_ref_unique"
            ),
            models.UniqueConstraint(
                fields=["integration", "kind", "object_id"], name="external_ref_object_unique"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="external_ref_object")]

    def __str__(self) -> str:
        return f"{self.integration}: {self.kind} {self.external_id}"
