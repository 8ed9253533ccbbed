"""How the dispute catalogue's entries put data into words (and the data they read).

Every function here runs when the words are shown, in the reader's language: gettext is
called then, moments and money go through core.moments. A sentence is one message to
translate, whole: where a part varies (the party, whether items are named), each variant is
its own sentence, since the words around it change with it in other languages."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from core.moments import money
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
    value = None if amount is None else Money(Decimal(amount), offer["currency"])
    return remedy_text(offer["remedy"], value)


def amount_of(data: Data, key: str = "amount") -> str:
    """An amount kept in data (decimal text beside "currency", as an offer's), written for
    the reader: "20.00 USD"."""
    return money(Decimal(data[key]), data["currency"])


def items_list(data: Data) -> str:
    """ "Blue kettle ×1, Mug ×2": the items a claim names ("" for rows from before claims
    named items). Titles are the seller's, as typed."""
    return ", ".join(f"{item['title']} ×{item['quantity']}" for item in data.get("items") or ())


def by_party(data: Data, *, buyer: str, seller: str) -> str:
    """The sentence for the party in data["party"] (each party's is its own sentence)."""
    return buyer if Party(data["party"]) == Party.BUYER else seller


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
