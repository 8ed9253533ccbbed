"""Seller standing (policy.md, "Seller standing"): every figure with its formula in words."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from disputes.models import Dispute, DisputeEvent, SellerRating
from orders.models import Order

from .metrics import percent
from .models import AGAINST_SELLER, Ruling

SILENCE_CODE = "disputes.rule.seller_silence"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    formula: str


@dataclass(frozen=True)
class RatingStats:
    average: float | None
    count: int

    @property
    def label(self) -> str:
        if not self.count or self.average is None:
            return "–"
        return _("%(stars)s / 5") % {"stars": number_format(self.average, decimal_pos=1)}


@dataclass(frozen=True)
class Counts:
    """What a store's standing counts since a moment: each figure is a formula over these."""

    shipped: int
    opened: int
    silence: int
    against: int
    penalties: int
    ratings: RatingStats


def _since(
    name: str, field: str, moments: Sequence[datetime], also: Q | None = None
) -> dict[str, Count]:
    """`<name><i>`: the rows whose `field` is at or after moments[i] (and match `also`).
    COUNT(field), not COUNT(*), which Django refuses with a filter: counting a column of the
    (store, time) index still lets the scan read the index alone."""
    return {
        f"{name}{i}": Count(field, filter=Q(**{f"{field}__gte": moment}) & (also or Q()))
        for i, moment in enumerate(moments)
    }


def counts_since(store_id: int, moments: Sequence[datetime]) -> list[Counts]:
    """`Counts` since each of `moments`, read together: one query per table for all of them
    (the rows since the earliest moment, each moment's figures a filter over them)."""
    since = min(moments)
    # The final word on each case: an appeal's decision replaces its ruling in every figure.
    rulings = Ruling.objects.final().filter(dispute__store_id=store_id, created_at__gte=since)
    ratings = SellerRating.objects.filter(store_id=store_id, created_at__gte=since).aggregate(
        **_since("count", "created_at", moments),
        **{
            f"average{i}": Avg("stars", filter=Q(created_at__gte=moment))
            for i, moment in enumerate(moments)
        },
    )
    n = {
        **Order.objects.filter(store_id=store_id, all_shipped_at__gte=since).aggregate(
            **_since("shipped", "all_shipped_at", moments)
        ),
        **Dispute.objects.filter(store_id=store_id, opened_at__gte=since).aggregate(
            **_since("opened", "opened_at", moments)
        ),
        **DisputeEvent.objects.filter(
            dispute__store_id=store_id, code=SILENCE_CODE, created_at__gte=since
        ).aggregate(**_since("silence", "created_at", moments)),
        **rulings.aggregate(
            **_since("against", "created_at", moments, AGAINST_SELLER),
            **_since("penalties", "created_at", moments, Q(seller_violation=True)),
        ),
    }
    return [
        Counts(
            shipped=n[f"shipped{i}"],
            opened=n[f"opened{i}"],
            silence=n[f"silence{i}"],
            against=n[f"against{i}"],
            penalties=n[f"penalties{i}"],
            ratings=RatingStats(ratings[f"average{i}"], ratings[f"count{i}"]),
        )
        for i in range(len(moments))
    ]


# Each figure's name and how it is counted (whole sentences, their plural by the days counted).
LABELS = {
    "disputes": gettext_lazy("Dispute rate"),
    "bad": gettext_lazy("Bad transaction rate"),
    "silence": gettext_lazy("Refunds for not answering"),
    "against": gettext_lazy("Rulings against you"),
    "penalties": gettext_lazy("Penalties"),
    "rating": gettext_lazy("Rating"),
}
FORMULAS = {
    "disputes": ngettext_lazy(
        "%(opened)s disputes opened ÷ %(shipped)s orders shipped in the last %(days)s day",
        "%(opened)s disputes opened ÷ %(shipped)s orders shipped in the last %(days)s days",
        "days",
    ),
    "bad": ngettext_lazy(
        "(%(silence)s refunded because you did not answer + %(against)s ruled against you) "
        "÷ %(shipped)s orders shipped in the last %(days)s day",
        "(%(silence)s refunded because you did not answer + %(against)s ruled against you) "
        "÷ %(shipped)s orders shipped in the last %(days)s days",
        "days",
    ),
    "silence": ngettext_lazy(
        "Disputes refunded in the last %(days)s day because no answer came in time",
        "Disputes refunded in the last %(days)s days because no answer came in time",
        "days",
    ),
    "against": ngettext_lazy(
        "Arbiter rulings in the last %(days)s day that granted the buyer a remedy",
        "Arbiter rulings in the last %(days)s days that granted the buyer a remedy",
        "days",
    ),
    "penalties": ngettext_lazy(
        "Rule violations recorded by arbiters in the last %(days)s day",
        "Rule violations recorded by arbiters in the last %(days)s days",
        "days",
    ),
    "rating": ngettext_lazy(
        "Average of %(ratings)s buyer ratings left in the last %(days)s day",
        "Average of %(ratings)s buyer ratings left in the last %(days)s days",
        "days",
    ),
}


def standing(store_id: int, now: datetime, days: int) -> list[Figure]:
    return standings(store_id, now, [days])[0][1]


def standings(
    store_id: int, now: datetime, periods: Sequence[int]
) -> list[tuple[int, list[Figure]]]:
    """The standing over each period of days (the dashboard's 30 and 90), counted together."""
    moments = [now - timedelta(days=days) for days in periods]
    return [
        (days, _figures(n, days))
        for days, n in zip(periods, counts_since(store_id, moments), strict=True)
    ]


def _figures(n: Counts, days: int) -> list[Figure]:
    values = {
        "disputes": percent(n.opened, n.shipped, 1),
        "bad": percent(n.silence + n.against, n.shipped, 1),
        "silence": str(n.silence),
        "against": str(n.against),
        "penalties": str(n.penalties),
        "rating": n.ratings.label,
    }
    words = {
        "opened": n.opened,
        "shipped": n.shipped,
        "silence": n.silence,
        "against": n.against,
        "ratings": n.ratings.count,
        "days": days,
    }
    return [Figure(k, str(LABELS[k]), value, FORMULAS[k] % words) for k, value in values.items()]


# The figures with disputes behind them, each linked to the list of those disputes.
FIGURES_WITH_DISPUTES = ("disputes", "bad", "silence", "against", "penalties")


def _behind(since: datetime) -> dict[str, Q]:
    silenced = Q(events__code=SILENCE_CODE, events__created_at__gte=since)
    final = Ruling.objects.final().filter(created_at__gte=since)
    against = Q(pk__in=final.against_seller().values("dispute_id"))
    return {
        "disputes": Q(opened_at__gte=since),
        "silence": silenced,
        "against": against,
        "penalties": Q(pk__in=final.filter(seller_violation=True).values("dispute_id")),
        "bad": silenced | against,
    }


def disputes_behind(store_id: int, key: str, now: datetime, days: int) -> QuerySet[Dispute]:
    """The disputes a figure counts, for the link under it."""
    qs = Dispute.objects.filter(store_id=store_id)
    behind = _behind(now - timedelta(days=days)).get(key)
    return qs.none() if behind is None else qs.filter(behind).distinct()


def weekly_disputes(store_id: int, now: datetime, weeks: int = 12) -> list[tuple[datetime, int]]:
    """Disputes opened per week, oldest first, empty weeks included (for the chart)."""
    start = (now - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        Dispute.objects.filter(store_id=store_id, opened_at__gte=start)
        .annotate(week=TruncWeek("opened_at"))
        .values("week")
        .annotate(n=Count("*"))  # not Count("id"): the (store, opened_at) index alone answers
    )
    counts = {row["week"].date(): row["n"] for row in rows}
    first = start - timedelta(days=start.weekday())
    return [
        (first + timedelta(weeks=i), counts.get((first + timedelta(weeks=i)).date(), 0))
        for i in range(weeks + 1)
    ]
