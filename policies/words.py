"""A policy version in words: who may do what, by when, and what happens when the time runs
out, rendered from the version's own numbers (never from literals), for the public policy
page every case links to. Written when shown, in the reader's language: each number sits in a
whole sentence of its own, so its plural is right in every language."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .models import Policy


@dataclass(frozen=True)
class Rule:
    who: str
    may: str
    by_when: str
    at_zero: str


def rules(policy: Policy) -> list[Rule]:
    """Each rule of the version, in the order a case meets them."""
    return [*_opening(policy), *_negotiation(policy), *_after(policy)]


def _open_window(p: Policy) -> str:
    earliest = p.dispute_earliest_days_after_shipping
    instant = p.instant_dispute_below_delivery_days
    protection = p.protection_days_after_receipt
    return " ".join(
        [
            ngettext(
                "From %(days)s day after all goods shipped.",
                "From %(days)s days after all goods shipped.",
                earliest,
            )
            % {"days": earliest},
            ngettext(
                "At once if the delivery time limit is under %(days)s day.",
                "At once if the delivery time limit is under %(days)s days.",
                instant,
            )
            % {"days": instant},
            ngettext(
                "Until %(days)s day after receipt.",
                "Until %(days)s days after receipt.",
                protection,
            )
            % {"days": protection},
        ]
    )


def _opening(p: Policy) -> list[Rule]:
    delivery = p.max_delivery_days
    return [
        Rule(
            _("Seller"),
            _("Set a delivery time limit when shipping"),
            ngettext("At most %(days)s day", "At most %(days)s days", delivery)
            % {"days": delivery},
            _("Receipt is confirmed automatically when the delivery time limit runs out."),
        ),
        Rule(
            _("Buyer"),
            _("Open a dispute about an order"),
            _open_window(p),
            _("The protection period ends; the seller is paid what was paid minus refunds."),
        ),
    ]


def _negotiation(p: Policy) -> list[Rule]:
    answer, talks = p.seller_answer_days, p.negotiation_days
    return [
        Rule(
            _("Seller"),
            _("Accept the claim, or reject it with reasons and a counter-offer"),
            ngettext(
                "Within %(days)s day of the dispute being opened or changed",
                "Within %(days)s days of the dispute being opened or changed",
                answer,
            )
            % {"days": answer},
            _("The buyer's claim is carried out: the refund the buyer asked for is paid."),
        ),
        Rule(
            _("Buyer"),
            _("Accept the seller's offer, change the claim, ask Parley to decide, or withdraw"),
            _("Any time before a ruling"),
            ngettext(
                "With no agreement %(days)s day after filing, the case goes to a Parley arbiter "
                "on day %(next)s.",
                "With no agreement %(days)s days after filing, the case goes to a Parley "
                "arbiter on day %(next)s.",
                talks,
            )
            % {"days": talks, "next": talks + 1},
        ),
    ]


def _after(p: Policy) -> list[Rule]:
    return [
        Rule(
            _("Buyer"),
            _("Ship an agreed return, with its tracking number"),
            ngettext(
                "Within %(days)s day of the agreement",
                "Within %(days)s days of the agreement",
                p.return_ship_days,
            )
            % {"days": p.return_ship_days},
            _("The dispute closes without a refund."),
        ),
        Rule(
            _("Seller"),
            _("Confirm that the returned item arrived"),
            ngettext(
                "Within %(days)s day of its delivery",
                "Within %(days)s days of its delivery",
                p.return_receipt_days,
            )
            % {"days": p.return_receipt_days},
            _("The refund is paid automatically."),
        ),
        *_decisions(p),
    ]


def _decisions(p: Policy) -> list[Rule]:
    target, appeal = p.resolution_target_days, p.appeal_days
    arrival = p.refund_arrival_business_days
    return [
        Rule(
            _("Arbiter"),
            _("Decide the case from both parties' evidence, with written reasons"),
            ngettext(
                "Aiming for %(days)s day after filing",
                "Aiming for %(days)s days after filing",
                target,
            )
            % {"days": target},
            _("Both parties see the date a decision is expected on the case page."),
        ),
        Rule(
            _("Buyer or seller"),
            _("Appeal the ruling once, with new evidence (another arbiter decides, finally)"),
            ngettext(
                "Within %(days)s day of the ruling", "Within %(days)s days of the ruling", appeal
            )
            % {"days": appeal},
            _("The ruling is final."),
        ),
        Rule(
            pgettext("the service, as a party to a rule", "Parley"),
            _("Pay a refund back to the original payment method"),
            ngettext(
                "Expected within %(days)s business day",
                "Expected within %(days)s business days",
                arrival,
            )
            % {"days": arrival},
            _("A failed refund is reported and still owed; support contacts the buyer."),
        ),
    ]


def numbers(policy: Policy) -> list[tuple[str, int]]:
    """Every number of the version, with its meaning (each field's own help text, translated
    when read): new fields appear here without the page changing."""
    return [
        (str(field.help_text), getattr(policy, field.name))
        for field in Policy._meta.get_fields()
        if isinstance(field, models.PositiveSmallIntegerField) and field.help_text
    ]
