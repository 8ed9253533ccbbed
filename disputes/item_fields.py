"""The line picker of a claim's forms: each order line with how many of it the claim is about
(0: not claimed), and the amount asked checked against what those items are worth."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import money
from orders.models import Order, OrderLine

from .ledger import refundable_amount
from .models import Remedy
from .services.items import ClaimedItem, amount_limit, claim_cap

# Remedies whose amount the buyer types (a full refund's is worked out, a replacement has none).
_TYPED_AMOUNT = (Remedy.PARTIAL_REFUND, Remedy.RETURN_AND_REFUND)


def _line_help(line: OrderLine, currency: str) -> str:
    words = ngettext(
        "You ordered %(count)d, at %(price)s each. How many is the claim about? (0 if none)",
        "You ordered %(count)d, at %(price)s each. How many is the claim about? (0 if none)",
        line.quantity,
    )
    return words % {"count": line.quantity, "price": money(line.unit_price, currency)}


class ClaimedItemsFields(forms.Form):
    """`Form(data, files, order=order, claimed={line id: quantity})`. With one line there is
    nothing to choose: it starts claimed in full (the reason and remedy stay the buyer's)."""

    def __init__(
        self, *args: Any, order: Order, claimed: Mapping[int, int] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        self.lines = list(order.lines.all())
        only = len(self.lines) == 1
        for line in self.lines:
            start = (claimed or {}).get(line.pk, line.quantity if only else 0)
            self.fields[self.line_field(line.pk)] = forms.IntegerField(
                min_value=0,
                max_value=line.quantity,
                initial=start,
                label=line.title,
                help_text=_line_help(line, order.currency),
                error_messages={"required": _("Enter how many (0 if none).")},
            )
        self.order_fields([self.line_field(line.pk) for line in self.lines])

    @staticmethod
    def line_field(line_id: int) -> str:
        return f"line_{line_id}"

    @property
    def item_fields(self) -> list[forms.BoundField]:
        return [self[self.line_field(line.pk)] for line in self.lines]

    def items(self) -> list[ClaimedItem]:
        """The items claimed, as the services take them (after is_valid)."""
        counts = ((line.pk, self.cleaned_data.get(self.line_field(line.pk))) for line in self.lines)
        return [ClaimedItem(line_id, n) for line_id, n in counts if n]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        names = [self.line_field(line.pk) for line in self.lines]
        if not names or any(name in self.errors for name in names):
            return cleaned
        items = self.items()
        if not items:
            self.add_error(names[0], _("Choose at least one item: enter how many it is about."))
            return cleaned
        self._check_amount(items)
        return cleaned

    def _check_amount(self, items: list[ClaimedItem]) -> None:
        """The amount asked, at its field: no more than the claimed items' value and what is
        still refundable (the service checks again, under the order's lock)."""
        amount = self.cleaned_data.get("amount")
        if amount is None or self.cleaned_data.get("remedy") not in _TYPED_AMOUNT:
            return
        by_line = {line.pk: line for line in self.lines}
        claim = [(by_line[item.line_id], item.quantity) for item in items]
        limit, too_much = amount_limit(refundable_amount(self.order), claim_cap(self.order, claim))
        if amount > limit.amount and "amount" not in self.errors:
            self.add_error("amount", too_much)
