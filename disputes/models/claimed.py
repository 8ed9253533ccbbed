"""The order lines a claim is about, and how many of each (policy.md, "items")."""

from django.core.validators import MinValueValidator
from django.db import models

from orders.models import OrderLine

from .dispute import Dispute


class ClaimedLine(models.Model):
    """One order line the buyer's claim is about. At most the line's quantity (checked by the
    service that writes it, where the order line is at hand). A dispute without any rows is
    from before claims named items: it is about the whole order."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="claimed_lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["line_id"]
        constraints = [
            models.UniqueConstraint(fields=["dispute", "line"], name="claimed_line_once"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="claimed_line_min"),
        ]

    def __str__(self) -> str:
        return f"{self.line.title} ×{self.quantity}"
