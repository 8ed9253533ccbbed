"""A policy version in words: who may do what, by when, and what happens when the time runs
out, rendered from the version's own numbers (never from literals), for the public policy
page every case links to."""

from dataclasses import dataclass

from django.db import models

from .models import Policy


@dataclass(frozen=True)
class Rule:
    who: str
    may: str
    by_when: str
    at_zero: str


def _days(n: int, kind: str = "") -> str:
    word = f"{kind} day" if kind else "day"
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def rules(policy: Policy) -> list[Rule]:
    """Each rule of the version, in the order a case meets them."""
    return [*_opening(policy), *_negotiation(policy), *_after(policy)]


def _opening(p: Policy) -> list[Rule]:
    instant = _days(p.instant_dispute_below_delivery_days)
    return [
        Rule(
            "Seller",
            "Set a delivery time limit when shipping",
            f"At most {_days(p.max_delivery_days)}",
            "Receipt is confirmed automatically when the delivery time limit runs out.",
        ),
        Rule(
            "Buyer",
            "Open a dispute about an order",
            f"From {_days(p.dispute_earliest_days_after_shipping)} after all goods shipped (at "
            f"once if the delivery time limit is under {instant}) until "
            f"{_days(p.protection_days_after_receipt)} after receipt",
            "The protection period ends; the seller is paid what was paid minus refunds.",
        ),
    ]


def _negotiation(p: Policy) -> list[Rule]:
    return [
        Rule(
            "Seller",
            "Accept the claim, or reject it with reasons and a counter-offer",
            f"Within {_days(p.seller_answer_days)} of the dispute being opened or changed",
            "The buyer's claim is carried out: the refund the buyer asked for is paid.",
        ),
        Rule(
            "Buyer",
            "Accept the seller's offer, change the claim, ask Parley to decide, or withdraw",
            "Any time before a ruling",
            f"With no agreement {_days(p.negotiation_days)} after filing, the case goes to a "
            f"Parley arbiter on day {p.negotiation_days + 1}.",
        ),
    ]


def _after(p: Policy) -> list[Rule]:
    return [
        Rule(
            "Buyer",
            "Ship an agreed return, with its tracking number",
            f"Within {_days(p.return_ship_days)} of the agreement",
            "The dispute closes without a refund.",
        ),
        Rule(
            "Seller",
            "Confirm that the returned item arrived",
            f"Within {_days(p.return_receipt_days)} of its delivery",
            "The refund is paid automatically.",
        ),
        Rule(
            "Arbiter",
            "Decide the case from both parties' evidence, with written reasons",
            f"Aiming for {_days(p.resolution_target_days)} after filing",
            "Both parties see the date a decision is expected on the case page.",
        ),
        Rule(
            "Buyer or seller",
            "Appeal the ruling once, with new evidence (another arbiter decides, finally)",
            f"Within {_days(p.appeal_days)} of the ruling",
            "The ruling is final.",
        ),
        Rule(
            "Parley",
            "Pay a refund back to the original payment method",
            f"Expected within {_days(p.refund_arrival_business_days, 'business')}",
            "A failed refund is reported and still owed; support contacts the buyer.",
        ),
    ]


def numbers(policy: Policy) -> list[tuple[str, int]]:
    """Every number of the version, with its meaning (each field's own help text): new fields
    appear here without the page changing."""
    return [
        (str(field.help_text), getattr(policy, field.name))
        for field in Policy._meta.get_fields()
        if isinstance(field, models.PositiveSmallIntegerField) and field.help_text
    ]
