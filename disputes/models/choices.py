"""The words a dispute is made of: reasons, remedies, states and outcomes, parties, clock kinds
and refund statuses, and the state groups (with their query forms) the apps share."""

from django.db import models


class Reason(models.TextChoices):
    NOT_RECEIVED = "not_received", "Not received"
    NOT_AS_DESCRIBED = "not_as_described", "Not as described"
    DAMAGED = "damaged", "Damaged or defective"
    MISSING_PARTS = "missing_parts", "Missing parts or items"
    WRONG_ITEM = "wrong_item", "Wrong item"
    IN_TRANSIT = "in_transit", "Late delivery / still in transit"

    @classmethod
    def needing_photos(cls) -> set[str]:
        return {cls.NOT_AS_DESCRIBED, cls.DAMAGED}

    @classmethod
    def about_delivery(cls) -> set[str]:
        return {cls.NOT_RECEIVED, cls.IN_TRANSIT}


class Remedy(models.TextChoices):
    FULL_REFUND = "full_refund", "Full refund"
    PARTIAL_REFUND = "partial_refund", "Partial refund"
    REPLACEMENT = "replacement", "Replacement"
    RETURN_AND_REFUND = "return_and_refund", "Return and refund"


class DisputeState(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", "Waiting for the seller"
    AWAITING_BUYER = "awaiting_buyer", "Seller rejected: buyer to respond"
    ESCALATED = "escalated", "With an arbiter"
    APPEALED = "appealed", "Appeal with an arbiter"
    AWAITING_RETURN = "awaiting_return", "Buyer to return the item"
    RETURN_IN_TRANSIT = "return_in_transit", "Return on its way to the seller"
    AWAITING_REPLACEMENT = "awaiting_replacement", "Seller to ship the replacement"
    REPLACEMENT_IN_TRANSIT = "replacement_in_transit", "Replacement on its way to the buyer"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Withdrawn by the buyer"


OPEN_STATES = [
    DisputeState.AWAITING_SELLER,
    DisputeState.AWAITING_BUYER,
    DisputeState.ESCALATED,
    DisputeState.AWAITING_RETURN,
    DisputeState.RETURN_IN_TRANSIT,
    DisputeState.AWAITING_REPLACEMENT,
    DisputeState.REPLACEMENT_IN_TRANSIT,
    DisputeState.APPEALED,
]
# Cases an arbiter must decide.
ARBITRATION_STATES = [DisputeState.ESCALATED, DisputeState.APPEALED]
NEGOTIATING = [DisputeState.AWAITING_SELLER, DisputeState.AWAITING_BUYER]
# The buyer may withdraw any time before a ruling: negotiating, with an arbiter, or on an
# agreed return not yet refunded or an agreed replacement not yet received (after a ruling
# neither is the buyer's to withdraw).
WITHDRAWABLE = [
    *NEGOTIATING,
    DisputeState.ESCALATED,
    DisputeState.AWAITING_RETURN,
    DisputeState.RETURN_IN_TRANSIT,
    DisputeState.AWAITING_REPLACEMENT,
    DisputeState.REPLACEMENT_IN_TRANSIT,
]
# Carrying out an agreed or ruled remedy: a ruling here can still be appealed.
CARRYING_OUT = [
    DisputeState.AWAITING_RETURN,
    DisputeState.RETURN_IN_TRANSIT,
    DisputeState.AWAITING_REPLACEMENT,
    DisputeState.REPLACEMENT_IN_TRANSIT,
]

# A ruling that can still be appealed: ruled, not appealed, not final (the query form of
# Dispute.appeal_open; its window's length is the APPEAL deadline's).
APPEALABLE = models.Q(ruled_at__isnull=False, appealed_at__isnull=True, final_at__isnull=True)
# Disputes that keep the seller's money back: open, or ruled and still appealable
# (the query form of Dispute.holds_payout).
HOLDS_PAYOUT = models.Q(state__in=OPEN_STATES) | APPEALABLE


class Outcome(models.TextChoices):
    REFUNDED = "refunded", "Refunded in full"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REPLACEMENT = "replacement", "Resolved by replacement"
    CLAIM_REJECTED = "claim_rejected", "Claim rejected"
    RETURN_NOT_SHIPPED = "return_not_shipped", "Closed: the return was not shipped in time"
    REPLACEMENT_NOT_SHIPPED = (
        "replacement_not_shipped",
        "Refunded: the replacement was not shipped in time",
    )


# Permission checks for the transitions. django-fsm's types say a check takes any Model, so each
# `permission=` below carries an ignore: ours take the model they guard.
class Party(models.TextChoices):
    BUYER = "buyer", "Buyer"
    SELLER = "seller", "Seller"
    ARBITER = "arbiter", "Parley arbiter"


class DeadlineKind(models.TextChoices):
    SELLER_ANSWER = "seller_answer", "Seller's answer"
    NEGOTIATION_LIMIT = "negotiation_limit", "Negotiation limit"
    GOODS_IN_TRANSIT = "goods_in_transit", "Goods in transit"
    REPLACEMENT_SHIPMENT = "replacement_shipment", "Replacement shipment"
    REPLACEMENT_RECEIPT = "replacement_receipt", "Replacement receipt"
    RETURN_SHIPMENT = "return_shipment", "Return shipment"
    RETURN_RECEIPT = "return_receipt", "Return receipt"
    APPEAL = "appeal", "Appeal window"
    EVIDENCE_REQUEST = "evidence_request", "Evidence requested by the arbiter"


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", "Running"
    PAUSED = "paused", "Paused by staff"
    FIRED = "fired", "Passed: the rule acted"
    CANCELLED = "cancelled", "No longer applies"


RUNNING_STATUSES = [DeadlineStatus.PENDING, DeadlineStatus.PAUSED]


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Being paid"
    SETTLED = "settled", "Paid"
    FAILED = "failed", "Failed"
