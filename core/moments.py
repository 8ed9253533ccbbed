"""One way of writing a moment for people: "5 Dec 2026, 10:13 UTC"."""

from datetime import date, datetime, timedelta


def moment(value: datetime) -> str:
    return f"{value:%-d %b %Y, %H:%M} UTC"


def day(value: date | datetime) -> str:
    return f"{value:%-d %b %Y}"


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
