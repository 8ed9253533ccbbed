"""Seller standing (policy.md, "Seller standing"): every figure with its formula in words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncWeek

from disputes.models import Dispute, DisputeEvent
from orders.models import Order

from .models import Ruling, RulingOutcome

SILENCE_CODE = "disputes.rule.seller_silence"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: str
    formula: str


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def standing(store_id: int, now: datetime, days: int) -> list[Figure]:
    since = now - timedelta(days=days)
    shipped = Order.objects.filter(store_id=store_id, all_shipped_at__gte=since).count()
    disputes = Dispute.objects.filter(store_id=store_id, opened_at__gte=since)
    opened = disputes.count()
    silence = DisputeEvent.objects.filter(
        dispute__store_id=store_id, code=SILENCE_CODE, created_at__gte=since
    ).count()
    rulings = Ruling.objects.filter(
        dispute__store_id=store_id, created_at__gte=since, on_appeal=False
    )
    against = rulings.exclude(outcome=RulingOutcome.CLAIM_REJECTED).count()
    penalties = rulings.filter(seller_violation=True).count()
    ratings = SellerRatingStats.for_store(store_id, since)
    return [
        Figure(
            "disputes",
            "Dispute rate",
            _pct(opened, shipped),
            f"{opened} disputes opened ÷ {shipped} orders shipped in the last {days} days",
        ),
        Figure(
            "bad",
            "Bad transaction rate",
            _pct(silence + against, shipped),
            f"({silence} refunded because you did not answer + {against} ruled against you) "
            f"÷ {shipped} orders shipped in the last {days} days",
        ),
        Figure(
            "silence",
            "Refunds for not answering",
            str(silence),
            f"Disputes refunded in the last {days} days because no answer came in time",
        ),
        Figure(
            "against",
            "Rulings against you",
            str(against),
            f"Arbiter rulings in the last {days} days that granted the buyer a remedy",
        ),
        Figure(
            "penalties",
            "Penalties",
            str(penalties),
            f"Rule violations recorded by arbiters in the last {days} days",
        ),
        Figure(
            "rating",
            "Rating",
            ratings.label,
            f"Average of {ratings.count} buyer ratings left in the last {days} days",
        ),
    ]


class SellerRatingStats:
    def __init__(self, average: float | None, count: int):
        self.average, self.count = average, count

    @property
    def label(self) -> str:
        return f"{self.average:.1f} / 5" if self.count else "–"

    @classmethod
    def for_store(cls, store_id: int, since: datetime) -> "SellerRatingStats":
        from disputes.models import SellerRating

        stats = SellerRating.objects.filter(store_id=store_id, created_at__gte=since).aggregate(
            average=Avg("stars"), count=Count("id")
        )
        return cls(stats["average"], stats["count"])


def disputes_behind(store_id: int, key: str, now: datetime, days: int) -> QuerySet[Dispute]:
    """The disputes a figure counts, for the link under it."""
    since = now - timedelta(days=days)
    qs = Dispute.objects.filter(store_id=store_id)
    silenced = Q(events__code=SILENCE_CODE, events__created_at__gte=since)
    ruled = Q(rulings__created_at__gte=since, rulings__on_appeal=False)
    filters = {
        "disputes": Q(opened_at__gte=since),
        "silence": silenced,
        "against": ruled & ~Q(rulings__outcome=RulingOutcome.CLAIM_REJECTED),
        "penalties": ruled & Q(rulings__seller_violation=True),
        "bad": silenced | (ruled & ~Q(rulings__outcome=RulingOutcome.CLAIM_REJECTED)),
    }
    if key not in filters:
        return qs.none()
    return qs.filter(filters[key]).distinct()


def weekly_disputes(store_id: int, now: datetime, weeks: int = 12) -> list[tuple[datetime, int]]:
    """Disputes opened per week, oldest first, empty weeks included (for the chart)."""
    start = (now - timedelta(weeks=weeks)).replace(hour=0, minute=0, second=0, microsecond=0)
    rows = (
        Dispute.objects.filter(store_id=store_id, opened_at__gte=start)
        .annotate(week=TruncWeek("opened_at"))
        .values("week")
        .annotate(n=Count("id"))
    )
    counts = {row["week"].date(): row["n"] for row in rows}
    first = start - timedelta(days=start.weekday())
    return [
        (first + timedelta(weeks=i), counts.get((first + timedelta(weeks=i)).date(), 0))
        for i in range(weeks + 1)
    ]
