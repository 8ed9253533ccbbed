"""The buyer's rating of the seller after a dispute ended."""

from django.conf import settings
from django.db import models

from orders.models import Order

from .dispute import Dispute


class SellerRating(models.Model):
    """The buyer's rating of the seller after a dispute ended: once per dispute, shown on that
    dispute only (a later dispute on the same order has its own)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ratings")
    # Null only for ratings left before ratings belonged to a dispute, none of them unlinked
    # by the migration that added it unless their order had no dispute.
    dispute = models.OneToOneField(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    store = models.ForeignKey("orders.Store", on_delete=models.PROTECT, related_name="ratings")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    stars = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["store", "created_at"], name="rating_store_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars}★ for {self.store_id}"
