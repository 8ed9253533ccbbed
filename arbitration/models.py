from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.money import money_field
from disputes.models import Dispute, EvidenceItem, Offer, Reason


class RulingOutcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("Refund in full")
    PARTIAL_REFUND = "partial_refund", _("Refund in part")
    RETURN_THEN_REFUND = "return_then_refund", _("Return, then refund")
    REPLACEMENT = "replacement", _("Replacement (refund if not shipped in time)")
    CLAIM_REJECTED = "claim_rejected", _("Claim rejected")


class PolicyClause(models.TextChoices):
    """The rules of policy.md an arbiter can cite."""

    NOT_RECEIVED = "not_received", _("Goods not received within the delivery time limit")
    NOT_AS_DESCRIBED = "not_as_described", _("Item materially different from its description")
    DAMAGED = "damaged", _("Item damaged or defective on arrival")
    MISSING_PARTS = "missing_parts", _("Parts or items missing from the delivery")
    WRONG_ITEM = "wrong_item", _("A different item was delivered")
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", _("The claim is not supported by the evidence")
    RETURN_POLICY = "return_policy", _("Return and refund: the item goes back before the refund")


# The clause a dispute's reason usually rests on: the ruling form starts from it (the arbiter
# may cite another; a reason without one leaves the choice to the arbiter).
CLAUSE_FOR_REASON: dict[str, str] = {
    Reason.NOT_RECEIVED: PolicyClause.NOT_RECEIVED,
    Reason.IN_TRANSIT: PolicyClause.NOT_RECEIVED,
    Reason.NOT_AS_DESCRIBED: PolicyClause.NOT_AS_DESCRIBED,
    Reason.DAMAGED: PolicyClause.DAMAGED,
    Reason.MISSING_PARTS: PolicyClause.MISSING_PARTS,
    Reason.WRONG_ITEM: PolicyClause.WRONG_ITEM,
}


# Rulings that granted the buyer a remedy (`RulingQuerySet.against_seller`, as a condition).
AGAINST_SELLER = ~Q(outcome=RulingOutcome.CLAIM_REJECTED)


class RulingQuerySet(models.QuerySet["Ruling"]):
    def final(self) -> "RulingQuerySet":
        """Each case's final word (policy.md, "standing follows the final word"): the decision
        on its appeal, else its ruling. A ruling an appeal decided is counted through that
        decision only (whether it upheld or replaced it), never twice."""
        appealed = Ruling.objects.filter(dispute=OuterRef("dispute"), on_appeal=True)
        return self.filter(Q(on_appeal=True) | ~Exists(appealed))

    def against_seller(self) -> "RulingQuerySet":
        """Rulings that granted the buyer a remedy."""
        return self.filter(AGAINST_SELLER)


class Ruling(models.Model):
    """An arbiter's decision with its written reasons, shown to both parties."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="rulings", verbose_name=_("dispute")
    )
    arbiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("arbiter")
    )
    outcome = models.CharField(_("outcome"), max_length=32, choices=RulingOutcome.choices)
    amount = money_field(null=True, blank=True, verbose_name=_("amount"))
    remedy_offer = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("remedy offer"),
    )
    rationale = models.TextField(_("rationale"))
    # The language the rationale was written in (core.languages; blank: before it was recorded).
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    policy_clause = models.CharField(
        _("policy clause"), max_length=32, choices=PolicyClause.choices
    )
    cited_evidence = models.ManyToManyField(
        EvidenceItem, blank=True, related_name="+", verbose_name=_("cited evidence")
    )
    seller_violation = models.BooleanField(_("seller violation"), default=False)
    penalty_note = models.CharField(_("penalty note"), max_length=300, blank=True)
    on_appeal = models.BooleanField(
        _("on appeal"), default=False, help_text=_("The decision on an appeal.")
    )
    upheld = models.BooleanField(
        _("upheld"), null=True, blank=True, help_text=_("Appeals: the first ruling stands.")
    )
    created_at = models.DateTimeField(_("created at"))

    objects = RulingQuerySet.as_manager()

    class Meta:
        verbose_name = _("ruling")
        verbose_name_plural = _("rulings")
        ordering = ["created_at", "id"]
        constraints = [
            # One ruling per case, and at most one appeal decision after it.
            models.UniqueConstraint(fields=["dispute", "on_appeal"], name="one_ruling_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.get_outcome_display()}"


class RationaleTemplate(models.Model):
    """A saved starting text for rulings on one kind of claim; arbiters edit it per case."""

    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices, unique=True)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("rationale template")
        verbose_name_plural = _("rationale templates")

    def __str__(self) -> str:
        return self.reason
