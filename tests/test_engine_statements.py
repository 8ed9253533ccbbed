"""The engine's cost per batch does not grow with the batch: every rule's claim and act is a
fixed number of statements, however many rows it holds (no query per row)."""

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import open_dispute, shipped_order
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db


def _overdue(buyer, seller, k: int) -> None:
    """k of each: a seller silent for 6 days (with a late reminder and a receipt due), a seller
    to be reminded, and an order long past its delivery limit (receipt, then end of protection)."""
    for _ in range(k):
        open_dispute(buyer=buyer, seller=seller, opened_days_ago=6)
        open_dispute(buyer=buyer, seller=seller, opened_days_ago=3.5)
        shipped_order(buyer=buyer, seller=seller, days_ago=30)


def _statements(buyer, seller, k: int) -> tuple[Counter, dict[str, int]]:
    _overdue(buyer, seller, k)
    with CaptureQueriesContext(connection) as queries:
        report = enforce_deadlines()
    kinds = Counter(q["sql"].split(" ", 1)[0] for q in queries.captured_queries)
    return kinds, report.acted


def test_a_batch_of_five_costs_the_statements_of_a_batch_of_two(buyer, seller):
    two, acted_two = _statements(buyer, seller, 2)
    five, acted_five = _statements(buyer, seller, 5)
    assert acted_two == {
        "dispute deadlines": 2,
        "reminders": 2,
        "automatic receipt": 4,
        "protection end": 2,
    }
    assert acted_five == {name: n * 5 // 2 for name, n in acted_two.items()}
    assert five == two, (two, five)
