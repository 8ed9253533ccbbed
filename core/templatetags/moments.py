"""The one way pages write moments, durations and money (core.moments), as template filters, in
the viewer's language and time zone: `{{ event.created_at|moment }}`,
`{{ deadline.due_at|left:now }}`, `{{ deadline.remaining|duration }}`, `{{ order.placed_at|day }}`,
`{{ order.total|money:order.currency }}`; and `{% countdown_words %}` (once, in base.html), the
words static/js/countdown.js writes."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.html import json_script
from django.utils.safestring import SafeString

from .. import moments

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    """ "5 Dec 2026, 10:13 (Lisbon time)": the viewer's clock, the zone named."""
    return moments.moment(value) if isinstance(value, datetime) else ""


@register.filter
def left(value: datetime | None, now: datetime | None = None) -> str:
    """ "3 days, 4 hours left" until `value` (from `now`, else the present)."""
    return "" if value is None else moments.time_left(value, now or timezone.now())


@register.filter
def duration(value: timedelta | None) -> str:
    return "" if value is None else moments.duration(value)


@register.filter
def ago(value: datetime | None, now: datetime | None = None) -> str:
    """ "2 days, 3 hours" since `value` (the caller's sentence says "ago" or "overdue by")."""
    return "" if value is None else moments.duration((now or timezone.now()) - value)


@register.filter
def day(value: datetime | None) -> str:
    """A date alone, "5 Dec 2026", on the viewer's calendar."""
    return moments.day(value) if isinstance(value, date) else ""


@register.filter
def short_day(value: datetime | None) -> str:
    """A date without its year, "5 Dec" (chart labels)."""
    return moments.short_day(value) if isinstance(value, date) else ""


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """An amount with its currency: `{{ order.total|money:order.currency }}`."""
    return "" if amount is None else moments.money(amount, currency)


@register.simple_tag
def countdown_words() -> SafeString:
    """The countdown's words in the viewer's language, as a JSON data block (not a script: the
    content security policy has nothing to allow) that static/js/countdown.js reads."""
    return json_script(moments.countdown_words(), "countdown-words")
