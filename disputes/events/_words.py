"""How the dispute catalogue's entries put data into words (and the data they read)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from core.money import Money
from core.timeline import Data

from ..models import DisputeState, Offer, Party, remedy_text


def offer_data(offer: Offer) -> dict[str, Any]:
    """An offer as an event keeps it: enough to say it without reading the offer again."""
    amount = None if offer.amount is None else str(offer.amount)
    return {"id": offer.pk, "remedy": offer.remedy, "amount": amount, "currency": offer.currency}


def offer_text(offer: Data) -> str:
    """ "Partial refund of 20.00 USD", from an offer's data."""
    amount = offer["amount"]
    money = None if amount is None else Money(Decimal(amount), offer["currency"])
    return remedy_text(offer["remedy"], money)


def offer_money(offer: Data) -> Money:
    return Money(Decimal(offer["amount"]), offer["currency"])


def items_text(data: Data) -> str:
    """ " about Blue kettle ×1, Mug ×2": the items a claim names (rows from before claims
    named items have none)."""
    items = data.get("items")
    if not items:
        return ""
    return " about " + ", ".join(f"{item['title']} ×{item['quantity']}" for item in items)


def party(data: Data) -> str:
    """ "buyer" or "seller", as a sentence says it."""
    return str(Party(data["party"]).label).lower()


def state(name: str) -> str:
    """A state as a note's subject says it: "with an arbiter"."""
    return str(DisputeState(name).label).lower()


def now_in(data: Data) -> str:
    """The state an act left the dispute in, for acts whose outcome varies (kept in data as
    "state": notes are built from the data alone)."""
    return state(data["state"])


def both(data: Data) -> tuple[str, str]:
    return (Party.BUYER, Party.SELLER)


def full_stop(describe: Callable[[Data], str]) -> Callable[[Data], str]:
    """A note's body that is the timeline's sentence, with a full stop."""
    return lambda data: f"{describe(data)}."
