"""What a refused act must leave as it was: compare `table_digests()` before and after (every
row of every table an act can write, in one query). `rolled_back()` undoes an act, so that the
next one meets the same world."""

from contextlib import contextmanager

from django.db import connection, transaction

from arbitration.models import Ruling
from disputes.models import (
    Deadline,
    Dispute,
    DisputeEvent,
    EvidenceItem,
    Message,
    Offer,
    Refund,
    SellerRating,
)
from notifications.models import Notification
from orders.models import Order, OrderEvent, OrderLine, Parcel, Payment, Store
from policies.models import Policy

# Every table an act can write. (Users and sessions are left out: signing in and out is not an
# act on a case.)
WATCHED = [
    Order, OrderLine, Payment, Parcel, OrderEvent, Store, Policy, Dispute, Offer, Deadline,
    EvidenceItem, Message, DisputeEvent, Ruling, Refund, SellerRating, Notification,
]  # fmt: skip


def table_digests() -> dict[str, str]:
    """An md5 of each watched table's rows, all in one round trip: cheap enough to compare
    the whole database before and after every request of a fuzz (tables of a test's size)."""
    tables = sorted({model._meta.db_table for model in WATCHED})
    sql = " UNION ALL ".join(
        f"SELECT '{t}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM {t} r"
        for t in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


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
