"""The one way pages write moments and durations (core.moments), as template filters:
`{{ event.created_at|moment }}`, `{{ deadline.due_at|left:now }}`,
`{{ deadline.remaining|duration }}`, `{{ order.placed_at|day }}`,
`{{ order.total|money:order.currency }}`."""

from datetime import datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone

from .. import moments

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    return "" if value is None else moments.moment(timezone.localtime(value))


@register.filter
def left(value: datetime | None, now: datetime | None = None) -> str:
    """ "3 days, 4 hours left" until `value` (from `now`, else the present)."""
    return "" if value is None else moments.time_left(value, now or timezone.now())


@register.filter
def duration(value: timedelta | None) -> str:
    return "" if value is None else moments.duration(value)


@register.filter
def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "2 days, 3 hours" since `value` (the caller writes "ago" or "overdue by")."""
    return "" if value is None else moments.duration((now or timezone.now()) - value)


@register.filter
def day(value: datetime | None) -> str:
    """A date alone, "5 Dec 2026", on the viewer's calendar."""
    return "" if value is None else moments.day(timezone.localtime(value))


@register.filter
def short_day(value: datetime | None) -> str:
    """A date without its year, "5 Dec" (chart labels)."""
    return "" if value is None else moments.short_day(timezone.localtime(value))


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """An amount with its currency: `{{ order.total|money:order.currency }}`."""
    return "" if amount is None else moments.money(amount, currency)
