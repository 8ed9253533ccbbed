"""Offers: what each party proposes, superseding its own previous proposal."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.moments import money as money_words
from core.money import Money, money_field

from .choices import Party, Remedy
from .dispute import Dispute

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class Offer(models.Model):
    """One proposal on the table: the buyer's claim or the seller's counter-offer.

    Offers are never edited: a new proposal supersedes the party's previous one.
    """

    dispute = models.ForeignKey(Dispute, on_delete=models.PROTECT, related_name="offers")
    party = models.CharField(max_length=10, choices=Party.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    remedy = models.CharField(max_length=32, choices=Remedy.choices)
    amount = money_field(null=True, blank=True)
    currency = models.CharField(max_length=3)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    # A seller's counter-offer lapses when the buyer changes the claim or the seller answers
    # again: only the latest answer is on the table.
    lapsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="offer_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.describe()}"

    @property
    def money(self) -> Money | None:
        return Money(self.amount, self.currency) if self.amount is not None else None

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None and self.lapsed_at is None

    @property
    def needs_return(self) -> bool:
        return self.remedy == Remedy.RETURN_AND_REFUND

    @property
    def needs_replacement(self) -> bool:
        return self.remedy == Remedy.REPLACEMENT

    def describe(self) -> str:
        return remedy_text(self.remedy, self.money)


# Each remedy with its amount, one whole phrase to translate (no label glued to "of").
_WITH_AMOUNT: dict[str, "StrPromise"] = {
    Remedy.FULL_REFUND: _("Full refund of %(amount)s"),
    Remedy.PARTIAL_REFUND: _("Partial refund of %(amount)s"),
    Remedy.RETURN_AND_REFUND: _("Return and refund of %(amount)s"),
}


def remedy_text(remedy: str, money: Money | None) -> str:
    """An offer in words, "Partial refund of 12.00 USD" (offers and their events say it so),
    in the language and format of whoever reads it."""
    if money is None or remedy not in _WITH_AMOUNT:
        return str(Remedy(remedy).label)
    return _WITH_AMOUNT[remedy] % {"amount": money_words(money.amount, money.currency)}
