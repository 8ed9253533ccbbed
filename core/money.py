"""A small money value type: Decimal amount plus ISO currency, never mixed across currencies.

django-money would add a dependency whose Django 6.1 support is untested; two columns and this
type are all Parley needs.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models

from . import moments

CENT = Decimal("0.01")


@dataclass(frozen=True, order=False)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", Decimal(self.amount).quantize(CENT, ROUND_HALF_UP))

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise ValueError(f"Cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: "Money") -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __str__(self) -> str:
        """As people read it, in the active language: "1,234.56 EUR", "1.234,56 €"."""
        return moments.money(self.amount, self.currency)

    @classmethod
    def zero(cls, currency: str) -> "Money":
        return cls(Decimal(0), currency)


def money_field(**options: Any) -> models.DecimalField:
    """The one shape of every money column: 12 digits, 2 after the point."""
    return models.DecimalField(max_digits=12, decimal_places=2, **options)
