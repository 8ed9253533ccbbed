"""One way of writing moments and durations for people: "5 Dec 2026, 10:13 UTC" and
"3 days, 4 hours" (the two largest units, the same words static/js/countdown.js keeps current)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils import timezone

# Between a number and its unit, as the countdown script writes it: "3 days" never wraps.
_SPACE = "\u00a0"


def moment(value: datetime) -> str:
    """On the reader's clock: the zone active for the request (accounts.middleware) or for
    the person written to (accounts.personal.speaking_to), named by its abbreviation."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%-d %b %Y, %H:%M} {local.tzname() or 'UTC'}"


def day(value: date | datetime) -> str:
    return f"{value:%-d %b %Y}"


def short_day(value: date | datetime) -> str:
    return f"{value:%-d %b}"


def money(amount: Decimal, currency: str) -> str:
    """ "1,234.56 EUR": the amount grouped by thousands, then its currency code."""
    return f"{amount:,.2f} {currency}".strip()


def _unit(count: int, word: str) -> str:
    return f"{count}{_SPACE}{word}{'' if count == 1 else 's'}"


def duration(value: timedelta) -> str:
    """A length of time in its two largest units: "13 days, 20 hours", "5 hours, 3 minutes",
    "12 minutes" (a unit at zero is left out; under a minute is "less than a minute")."""
    minutes = max(int(value.total_seconds()) // 60, 0)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return _unit(days, "day") + (f", {_unit(hours, 'hour')}" if hours else "")
    if hours:
        return _unit(hours, "hour") + (f", {_unit(mins, 'minute')}" if mins else "")
    return _unit(mins, "minute") if mins else "less than a minute"


def time_left(due_at: datetime, now: datetime) -> str:
    """ "3 days, 4 hours left", or "due now" once it has come."""
    return "due now" if due_at <= now else f"{duration(due_at - now)} left"


def parsed(value: str | datetime) -> datetime:
    """A moment kept in an event's data (ISO text in JSON) as a datetime again."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def business_days_after(value: datetime, days: int) -> datetime:
    """`days` working days (Monday to Friday) after `value`, at the same time of day."""
    moved = value
    while days > 0:
        moved += timedelta(days=1)
        if moved.weekday() < 5:
            days -= 1
    return moved
