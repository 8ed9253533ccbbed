"""Staff metrics of the arbitration service, each a plain formula over the records."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, TextChoices
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.moments import duration
from disputes.models import ARBITRATION_STATES, OPEN_STATES, Dispute, Outcome, Reason

from .models import Ruling, RulingOutcome


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or
    below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def percent(part: float, whole: float, digits: int = 0) -> str:
    """ "12%" ("12 %", "12,5 %": the reader's way of writing numbers), or "–" of nothing."""
    if not whole:
        return "–"
    number = number_format(round(100 * part / whole, digits), decimal_pos=digits)
    # Translators: a percentage; write the space your language puts before the sign, if any.
    return _("%(number)s%%") % {"number": number}


@dataclass(frozen=True)
class ArbiterLine:
    name: str
    rulings: int
    appeals_decided: int
    reversed: int

    @property
    def reversal_rate(self) -> str:
        return percent(self.reversed, self.appeals_decided)


def _days(delta: timedelta | None) -> str:
    """A wait in its two largest units, "1 day, 12 hours", as every page writes a duration."""
    return "–" if delta is None else duration(delta)


def metrics(now: datetime, days: int = 90) -> dict:
    since = now - timedelta(days=days)
    first_rulings = Ruling.objects.filter(on_appeal=False, created_at__gte=since).select_related(
        "dispute"
    )
    waits = [(r.created_at - r.dispute.opened_at).total_seconds() for r in first_rulings]
    median, p90 = percentile(waits, 0.5), percentile(waits, 0.9)
    return {
        "days": days,
        "open_cases": Dispute.objects.filter(state__in=ARBITRATION_STATES).count(),
        "unassigned": Dispute.objects.filter(
            state__in=ARBITRATION_STATES, assignee__isnull=True
        ).count(),
        "past_target": Dispute.objects.filter(state__in=OPEN_STATES, target_at__lt=now).count(),
        "median_to_ruling": _days(None if median is None else timedelta(seconds=median)),
        "p90_to_ruling": _days(None if p90 is None else timedelta(seconds=p90)),
        "rulings_counted": len(waits),
        "outcomes_by_reason": outcomes_by_reason(since),
        "final": final_decisions(since),
        "arbiters": arbiter_lines(since),
    }


@dataclass(frozen=True)
class OutcomeLine:
    reason: str
    outcome: str
    n: int


def outcomes_by_reason(since: datetime) -> list[OutcomeLine]:
    """How the disputes closed since `since` ended, per reason, in words."""
    closed = Dispute.objects.filter(closed_at__gte=since).exclude(outcome="")
    rows = closed.values("reason", "outcome").annotate(n=Count("id")).order_by("reason", "outcome")
    return [
        OutcomeLine(_label(Reason, row["reason"]), _label(Outcome, row["outcome"]), row["n"])
        for row in rows
    ]


def _label(choices: type[TextChoices], value: str) -> str:
    """The human label of a stored code (the code itself if it is no longer a choice)."""
    return str(choices(value).label) if value in choices.values else value


@dataclass(frozen=True)
class FinalDecisions:
    """Each case's final word since a moment: an appeal's decision replaces its ruling."""

    decided: int
    for_buyer: int
    for_seller: int
    penalties: int
    changed_on_appeal: int


def final_decisions(since: datetime) -> FinalDecisions:
    final = Ruling.objects.final().filter(created_at__gte=since)
    counts = final.aggregate(
        decided=Count("id"),
        for_seller=Count("id", filter=Q(outcome=RulingOutcome.CLAIM_REJECTED)),
        penalties=Count("id", filter=Q(seller_violation=True)),
        changed=Count("id", filter=Q(on_appeal=True, upheld=False)),
    )
    return FinalDecisions(
        decided=counts["decided"],
        for_buyer=counts["decided"] - counts["for_seller"],
        for_seller=counts["for_seller"],
        penalties=counts["penalties"],
        changed_on_appeal=counts["changed"],
    )


def arbiter_lines(since: datetime) -> list[ArbiterLine]:
    """Per arbiter: first rulings made since `since`, how many of those were decided on appeal,
    and how many of those appeal decisions did not uphold them."""
    rows = (
        Ruling.objects.filter(on_appeal=False, created_at__gte=since)
        .values("arbiter__username", "arbiter__first_name", "arbiter__last_name")
        .annotate(
            rulings=Count("id", distinct=True),
            appeals=Count("dispute__rulings", filter=Q(dispute__rulings__on_appeal=True)),
            reversed=Count(
                "dispute__rulings",
                filter=Q(dispute__rulings__on_appeal=True, dispute__rulings__upheld=False),
            ),
        )
        .order_by("-rulings")
    )
    return [
        ArbiterLine(
            name=f"{row['arbiter__first_name']} {row['arbiter__last_name']}".strip()
            or row["arbiter__username"],
            rulings=row["rulings"],
            appeals_decided=row["appeals"],
            reversed=row["reversed"],
        )
        for row in rows
    ]
