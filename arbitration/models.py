from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.money import money_field
from disputes.models import Dispute, EvidenceItem, Offer, Reason


class RulingOutcome(models.TextChoices):
    FULL_REFUND = "full_refund", "Refund in full"
    PARTIAL_REFUND = "partial_refund", "Refund in part"
    RETURN_THEN_REFUND = "return_then_refund", "Return, then refund"
    REPLACEMENT = "replacement", "Replacement (refund if not shipped in time)"
    CLAIM_REJECTED = "claim_rejected", "Claim rejected"


class PolicyClause(models.TextChoices):
    """The rules of policy.md an arbiter can cite."""

    NOT_RECEIVED = "not_received", "Goods not received within the delivery time limit"
    NOT_AS_DESCRIBED = "not_as_described", "Item materially different from its description"
    DAMAGED = "damaged", "Item damaged or defective on arrival"
    MISSING_PARTS = "missing_parts", "Parts or items missing from the delivery"
    WRONG_ITEM = "wrong_item", "A different item was delivered"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence", "The claim is not supported by the evidence"
    RETURN_POLICY = "return_policy", "Return and refund: the item goes back before the refund"


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

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="rulings")
    arbiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    outcome = models.CharField(max_length=32, choices=RulingOutcome.choices)
    amount = money_field(null=True, blank=True)
    remedy_offer = models.ForeignKey(
        Offer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField()
    policy_clause = models.CharField(max_length=32, choices=PolicyClause.choices)
    cited_evidence = models.ManyToManyField(EvidenceItem, blank=True, related_name="+")
    seller_violation = models.BooleanField(default=False)
    penalty_note = models.CharField(max_length=300, blank=True)
    on_appeal = models.BooleanField(default=False, help_text="The decision on an appeal.")
    upheld = models.BooleanField(
        null=True, blank=True, help_text="Appeals: the first ruling stands."
    )
    created_at = models.DateTimeField()

    objects = RulingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One ruling per case, and at most one appeal decision after it.
            models.UniqueConstraint(fields=["dispute", "on_appeal"], name="one_ruling_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id}: {self.get_outcome_display()}"


class RationaleTemplate(models.Model):
    """A saved starting text for rulings on one kind of claim; arbiters edit it per case."""

    reason = models.CharField(max_length=32, choices=Reason.choices, unique=True)
    text = models.TextField()

    def __str__(self) -> str:
        return self.reason
