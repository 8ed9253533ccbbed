"""Filters of the printed case file (templates/casefile/case_file.html): its amounts and people
in the reader's language, from the case file's own values (decimal strings, roles)."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import moments

register = template.Library()


@register.filter
def amount(value: Any) -> str:
    """A MoneyOut (`{"amount": "12.50", "currency": "EUR"}`) as the language writes it."""
    if value is None:
        return ""
    try:
        return moments.money(Decimal(value.amount), value.currency)
    except (InvalidOperation, AttributeError):
        return ""


def _role(role: str) -> str:
    words = {
        "buyer": pgettext("who, in a case file", "Buyer"),
        "seller": pgettext("who, in a case file", "Seller"),
        "arbiter": pgettext("who, in a case file", "Arbiter"),
        "staff": pgettext("who, in a case file", "Parley staff"),
        "system": pgettext("who, in a case file", "Parley (automatic)"),
    }
    return words.get(role, role)


@register.filter
def person(value: Any) -> str:
    """A PersonOut: "Buyer (Bea Smith)"; the clock by its own name, "Parley (automatic)"."""
    if value is None:
        return ""
    if value.role == "system" or not value.name:
        return value.name or _role(value.role)
    return _("%(role)s (%(name)s)") % {"role": _role(value.role), "name": value.name}


@register.filter
def role(value: str) -> str:
    return _role(value)


@register.filter
def cited(ids: list[str], evidence: list[Any]) -> list[Any]:
    """The evidence entries a ruling cites, in the case file's order."""
    wanted = set(ids or ())
    return [item for item in evidence if item.id in wanted]
