"""Field types the API's schemas share."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, WithJsonSchema


def _in_utc(moment: datetime) -> datetime:
    # PostgreSQL refuses offsets past ±15:59 that Python accepts, and the edges of the calendar
    # overflow when moved: both are the caller's mistake (422), not a server error.
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("The moment is out of range.") from exc


# A moment with its time zone, as the API reads it: moved to UTC at once.
UtcMoment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def _amount_text(digits: int) -> WithJsonSchema:
    """Amounts travel as decimal strings ("19.99"): exact, where a JSON number is a float."""
    whole = rf"[1-9][0-9]{{0,{digits - 1}}}(\.[0-9]{{1,2}})?"
    pattern = rf"^({whole}|0\.(0[1-9]|[1-9][0-9]?))$"  # more than zero
    return WithJsonSchema({"type": "string", "pattern": pattern, "examples": ["19.99"]})


# A price or an amount sent in, up to 99,999.99 (100 lines of 1,000 fit a money column), and a
# payment's amount, up to what a money column holds.
Price = Annotated[Decimal, Field(gt=0, le=Decimal("99999.99"), decimal_places=2), _amount_text(5)]
PaidAmount = Annotated[
    Decimal, Field(gt=0, le=Decimal("9999999999.99"), decimal_places=2), _amount_text(10)
]
