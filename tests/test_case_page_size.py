"""A case page costs the same at ten messages and at five hundred: it shows the latest messages
and timeline events, with links to earlier ones, in the same number of queries and about the
same number of bytes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from disputes.events import people
from disputes.models import DisputeEvent, Message
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

PAGES = [
    ("buyer", "disputes:detail"),
    ("seller", "disputes:detail"),
    ("arbiter", "arbitration:case"),
]


def _case_with(buyer, seller, messages: int):
    """A case with `messages` messages (and an event for each), as a long quarrel leaves it."""
    dispute = open_dispute(buyer=buyer, seller=seller, opened_days_ago=3)
    start = dispute.opened_at
    rows = Message.objects.bulk_create(
        Message(
            dispute=dispute,
            author=buyer if n % 2 else seller,
            body=f"message number {n}",
            created_at=start + timedelta(seconds=n + 1),
        )
        for n in range(messages)
    )
    DisputeEvent.objects.bulk_create(
        DisputeEvent(
            dispute=dispute,
            actor=row.author,
            code=people.MESSAGE_POSTED.code,
            data={"message": row.pk, "photos": 0},
            created_at=row.created_at,
        )
        for row in rows
    )
    return dispute


def _render(client, who, url_name, dispute, query=""):
    client.force_login(who)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(url_name, args=[dispute.reference]) + query)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("role", "url_name"), PAGES)
def test_the_case_page_costs_the_same_at_10_and_500_messages(
    client, buyer, seller, arbiter, role, url_name
):
    who = {"buyer": buyer, "seller": seller, "arbiter": arbiter}[role]
    cost = {n: _render(client, who, url_name, _case_with(buyer, seller, n)) for n in (10, 40, 500)}
    assert cost[10][0] == cost[40][0] == cost[500][0]
    # Past one page the page shows the same number of messages and events: only counts differ.
    assert abs(len(cost[500][1]) - len(cost[40][1])) < 100
    assert len(cost[500][1]) < 100_000
    assert "message number 499" in cost[500][1]
    assert "message number 469" not in cost[500][1]
    assert "Show earlier messages" in cost[500][1]
    assert "Show earlier messages" not in cost[10][1]


@pytest.mark.parametrize(("role", "url_name"), PAGES)
def test_the_earlier_messages_link_shows_the_older_messages(
    client, buyer, seller, arbiter, settings, role, url_name
):
    who = {"buyer": buyer, "seller": seller, "arbiter": arbiter}[role]
    dispute = _case_with(buyer, seller, 100)
    _, latest = _render(client, who, url_name, dispute)
    assert 'href="?messages_page=2#messages"' in latest
    _, earlier = _render(client, who, url_name, dispute, "?messages_page=2")
    per_page = settings.PARLEY_CASE_PAGE["messages"]
    shown = [n for n in range(100) if f"message number {n}<" in earlier]
    assert shown == list(range(100 - 2 * per_page, 100 - per_page))
    # Older messages read down towards newer ones, and a link leads back to them.
    assert earlier.index("message number 40<") < earlier.index("message number 41<")
    assert 'href="?messages_page=1#messages"' in earlier
    assert "Show later messages" in earlier


def test_the_earlier_events_link_shows_the_older_events(client, buyer, seller):
    dispute = _case_with(buyer, seller, 100)
    client.force_login(buyer)
    url = reverse("disputes:detail", args=[dispute.reference])
    latest = client.get(url).content.decode()
    assert 'href="?events_page=2#timeline"' in latest
    earlier = client.get(url + "?events_page=2").content.decode()
    timeline = earlier[earlier.index('id="timeline"') :]
    assert timeline.count('class="timeline__item') == 30
    assert "Show later events" in timeline


@pytest.mark.parametrize("page", ["abc", "0", "-1", "²", "9" * 40, "100000"])
def test_a_nonsense_page_number_shows_a_page_not_an_error(client, buyer, seller, page):
    dispute = _case_with(buyer, seller, 40)
    client.force_login(buyer)
    url = reverse("disputes:detail", args=[dispute.reference])
    response = client.get(url, {"messages_page": page, "events_page": page})
    assert response.status_code == 200
    assert "message number 39" in response.content.decode() or page == "100000"
