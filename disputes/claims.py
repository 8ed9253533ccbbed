"""What a claim about items is worth: shared by the acts that cap an amount by it and the clock
that refunds an unshipped replacement."""

from decimal import Decimal

from core.money import Money
from orders.models import Order, OrderLine

Claim = list[tuple[OrderLine, int]]  # order lines, each with how many of it the claim is about


def claim_cap(order: Order, claim: Claim) -> Money | None:
    """The value of the claimed items (unit price × quantity), or None when the claim is about
    every line in full: then it is about the whole order, whatever else the payment covered."""
    whole = {line.pk: line.quantity for line in order.lines.all()}
    if whole == {line.pk: quantity for line, quantity in claim}:
        return None
    value = sum((line.unit_price * quantity for line, quantity in claim), Decimal(0))
    return Money(value, order.currency)
