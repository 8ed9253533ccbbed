"""The words a dispute is made of: reasons, remedies, states and outcomes, parties, clock kinds
and refund statuses, and the state groups (with their query forms) the apps share."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Reason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DAMAGED = "damaged", _("Damaged or defective")
    MISSING_PARTS = "missing_parts", _("Missing parts or items")
    WRONG_ITEM = "wrong_item", _("Wrong item")
    IN_TRANSIT = "in_transit", _("Late delivery / still in transit")

    @classmethod
    def needing_photos(cls) -> set[str]:
        return {cls.NOT_AS_DESCRIBED, cls.DAMAGED}

    @classmethod
    def about_delivery(cls) -> set[str]:
        return {cls.NOT_RECEIVED, cls.IN_TRANSIT}


class Remedy(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    REPLACEMENT = "replacement", pgettext_lazy("remedy", "Replacement")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")


class DisputeState(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", _("Waiting for the seller")
    AWAITING_BUYER = "awaiting_buyer", _("Seller rejected: buyer to respond")
    ESCALATED = "escalated", _("With an arbiter")
    APPEALED = "appealed", _("Appeal with an arbiter")
    AWAITING_RETURN = "awaiting_return", _("Buyer to return the item")
    RETURN_IN_TRANSIT = "return_in_transit", _("Return on its way to the seller")
    AWAITING_REPLACEMENT = "awaiting_replacement", _("Seller to ship the replacement")
    REPLACEMENT_IN_TRANSIT = "replacement_in_transit", _("Replacement on its way to the buyer")
    RESOLVED = "resolved", pgettext_lazy("dispute state", "Resolved")
    CANCELLED = "cancelled", _("Withdrawn by the buyer")


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
    REFUNDED = "refunded", _("Refunded in full")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REPLACEMENT = "replacement", _("Resolved by replacement")
    CLAIM_REJECTED = "claim_rejected", _("Claim rejected")
    RETURN_NOT_SHIPPED = "return_not_shipped", _("Closed: the return was not shipped in time")
    REPLACEMENT_NOT_SHIPPED = (
        "replacement_not_shipped",
        _("Refunded: the replacement was not shipped in time"),
    )


# Permission checks for the transitions. django-fsm's types say a check takes any Model, so each
# `permission=` below carries an ignore: ours take the model they guard.
class Party(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    ARBITER = "arbiter", _("Parley arbiter")


class DeadlineKind(models.TextChoices):
    SELLER_ANSWER = "seller_answer", _("Seller's answer")
    NEGOTIATION_LIMIT = "negotiation_limit", _("Negotiation limit")
    GOODS_IN_TRANSIT = "goods_in_transit", _("Goods in transit")
    REPLACEMENT_SHIPMENT = "replacement_shipment", _("Replacement shipment")
    REPLACEMENT_RECEIPT = "replacement_receipt", _("Replacement receipt")
    RETURN_SHIPMENT = "return_shipment", _("Return shipment")
    RETURN_RECEIPT = "return_receipt", _("Return receipt")
    APPEAL = "appeal", _("Appeal window")
    EVIDENCE_REQUEST = "evidence_request", _("Evidence requested by the arbiter")


class DeadlineStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("clock status", "Running")
    PAUSED = "paused", _("Paused by staff")
    FIRED = "fired", _("Passed: the rule acted")
    CANCELLED = "cancelled", _("No longer applies")


RUNNING_STATUSES = [DeadlineStatus.PENDING, DeadlineStatus.PAUSED]


class RefundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("refund status", "Being paid")
    SETTLED = "settled", pgettext_lazy("refund status", "Paid")
    FAILED = "failed", pgettext_lazy("refund status", "Failed")
