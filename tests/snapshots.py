"""What a refused act must leave as it was: compare `footprint(dispute)` before and after.
`rolled_back()` undoes an act, so that the next one meets the same world."""

from contextlib import contextmanager

from django.db import transaction

from disputes.models import Dispute, SellerRating
from notifications.models import Notification
from orders.models import Order


def _rows(queryset) -> list[dict]:
    return list(queryset.order_by("pk").values())


def footprint(dispute: Dispute) -> dict:
    """Every row an act on `dispute` (or on its order) could write, read afresh.

    Rows are compared whole where an act edits them (the dispute, its order, offers, clocks) and
    counted where acts only add them (timeline, messages, money, notifications).
    """
    dispute = Dispute.objects.get(pk=dispute.pk)
    order = Order.objects.get(pk=dispute.order_id)
    return {
        "dispute": Dispute.objects.filter(pk=dispute.pk).values().get(),
        "order": Order.objects.filter(pk=order.pk).values().get(),
        "offers": _rows(dispute.offers),
        "deadlines": _rows(dispute.deadlines),
        "events": dispute.events.count(),
        "order events": order.events.count(),
        "messages": dispute.messages.count(),
        "evidence": dispute.evidence.count(),
        "rulings": dispute.rulings.count(),
        "parcels": order.parcels.count(),
        "refunds": _rows(order.refunds),
        "ratings": SellerRating.objects.count(),
        "notifications": Notification.objects.count(),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


def changes(before: dict, after: dict) -> list[str]:
    """The names of what differs, for a failure message that says what a refusal changed."""
    return [name for name in before if before[name] != after[name]]


class _Undo(Exception):
    pass


@contextmanager
def rolled_back():
    """Run the block in a savepoint and roll it back whatever happened in it."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass
