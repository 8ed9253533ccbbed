"""Who reads a case file, and so what it shows them; the values every section writes alike."""

from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from disputes.models import Dispute, Party
from integration.selectors import actor_role

from .schemas import Audience


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


class Reader:
    """Who reads the file, and so what it shows."""

    def __init__(self, dispute: Dispute, audience: Audience) -> None:
        self.dispute, self.audience = dispute, audience
        self.staff = audience == "staff"
        self.party = audience in (Party.BUYER, Party.SELLER)

    def person(self, user: User | None) -> dict[str, str]:
        if user is None:
            return {"role": "system", "name": _("Parley (automatic)")}
        return {"role": actor_role(self.dispute, user), "name": user.display_name}

    def staff_only(self, value: str) -> str | None:
        return value if self.staff else None
