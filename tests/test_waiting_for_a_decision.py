"""While an arbiter decides, both parties see by when a decision is expected (the resolution
target: filing + the pinned policy's days), and a paused clock stays on the page with its
reason and the time it had left, in words; durations read one way everywhere."""

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from arbitration import services as arbitration
from core.moments import duration, moment, time_left
from disputes import services
from disputes.deadlines import deadline_pause
from disputes.models import DeadlineKind
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def _page(client, person, dispute):
    client.force_login(person)
    url = reverse("disputes:detail", kwargs={"dispute_ref": dispute.reference})
    return unescape(client.get(url).content.decode()).replace(NBSP, " ")


def test_both_parties_see_when_a_decision_is_expected(client, buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    dispute.refresh_from_db()
    assert dispute.target_at == dispute.opened_at + timedelta(
        days=dispute.policy.resolution_target_days
    )
    for person in (buyer, seller):
        page = _page(client, person, dispute)
        assert f"A decision is expected by {moment(dispute.target_at)}." in page
    with time_machine.travel(dispute.target_at + timedelta(seconds=1), tick=False):
        page = _page(client, buyer, dispute)
    assert f"A decision was expected by {moment(dispute.target_at)}" in page


def test_a_paused_clock_stays_visible_with_its_reason_and_time_left(client, buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    clock = dispute.deadlines.get(kind=DeadlineKind.SELLER_ANSWER)
    at = clock.due_at - timedelta(days=3, hours=4)
    deadline_pause(deadline=clock, actor=arbiter, reason="while the arbiter decides", now=at)
    with time_machine.travel(at + timedelta(days=2), tick=False):
        for person in (buyer, seller):
            page = _page(client, person, dispute)
            assert (
                "Seller's answer: paused (while the arbiter decides); 3 days, 4 hours were "
                "left when it paused." in page
            )


def test_durations_are_the_two_largest_units():
    assert duration(timedelta(days=13, hours=20, minutes=41, seconds=59.9)) == (
        f"13{NBSP}days, 20{NBSP}hours"
    )
    assert duration(timedelta(days=1)) == f"1{NBSP}day"
    assert duration(timedelta(hours=5, minutes=3)) == f"5{NBSP}hours, 3{NBSP}minutes"
    assert duration(timedelta(seconds=59)) == "less than a minute"
    now = timezone.now()
    assert time_left(now + timedelta(days=13, hours=2), now) == (f"13{NBSP}days, 2{NBSP}hours left")
    assert time_left(now - timedelta(seconds=1), now) == "due now"
    rendered = Template("{% load moments %}{{ d|duration }}|{{ t|moment }}").render(
        Context({"d": timedelta(days=13, hours=20, minutes=41), "t": now})
    )
    assert rendered == f"13{NBSP}days, 20{NBSP}hours|{moment(now)}"
