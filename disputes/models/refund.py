"""The refund ledger's rows: the only way money goes back to a buyer."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import Money, money_field
from orders.models import Order

from .choices import RefundStatus
from .dispute import Dispute


class Refund(models.Model):
    """The only way money goes back to a buyer. An order's refunds never exceed its payment
    (checked under the order's row lock, and by a PostgreSQL trigger as a backstop)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    dispute = models.ForeignKey(
        Dispute, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = money_field()
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=200)
    source = models.CharField(max_length=64, help_text=_("The act that caused it (event code)."))
    idempotency_key = models.CharField(max_length=120, unique=True)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)
    # Written (and committed) before each call to the provider: a worker that dies mid-call
    # leaves the trace, and the retry calls again with the same idempotency key.
    settlement_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Paid by the marketplace that sent the order, which reports back (the integration marks
    # it): Parley's own gateway leaves it alone.
    settles_outside = models.BooleanField(default=False, db_default=False)
    # The provider's refusal, in its words, when it declined the refund for good.
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    # The refund that paid this one again after it failed (staff's act).
    reissued_as = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissue_of"
    )

    # Set by the ledger on the refunds it issues: what the order still has to refund after it.
    left_after: Decimal

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.money} for {self.order_id}"

    @property
    def money(self) -> Money:
        return Money(self.amount, self.currency)
