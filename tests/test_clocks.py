"""The kinds of clock are one registry: every kind the column allows is defined once, with an
act that exists; staff changes to a clock are catalogued events with structured data."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.moments import moment
from disputes.clocks import CLOCKS, wanted_deadlines
from disputes.clocks.acts import act_named
from disputes.deadlines import deadline_extend, deadline_pause, deadline_resume
from disputes.models import Deadline, DeadlineKind, DisputeEvent
from notifications.models import Notification
from tests.factories import open_dispute
from timers.engine import enforce_deadlines


def test_every_kind_of_deadline_is_one_clock_with_an_act():
    assert list(CLOCKS) == list(DeadlineKind.values)
    for clock in CLOCKS.values():
        assert callable(act_named(clock.at_zero))
    with pytest.raises(LookupError):
        act_named("dispute_explode_many")


@pytest.mark.django_db
def test_a_new_dispute_runs_the_clocks_of_its_state(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    assert wanted_deadlines(dispute) == {
        DeadlineKind.SELLER_ANSWER: dispute.opened_at + timedelta(days=5),
        DeadlineKind.NEGOTIATION_LIMIT: dispute.opened_at + timedelta(days=15),
    }


@pytest.mark.django_db
def test_a_reminder_goes_once_to_the_party_who_must_act(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    with time_machine.travel(deadline.due_at - timedelta(hours=47), tick=False):
        enforce_deadlines()
        enforce_deadlines()
        note = Notification.objects.get(code="disputes.note.reminder")
        words = note.words  # said when read: the time left is counted then
    assert note.recipient == seller
    assert note.dedupe_key == (
        f"deadline:{deadline.pk}:{deadline.due_at.timestamp():.0f}:remind:48h:seller"
    )
    assert (note.subject, note.body) == ("", "")
    assert note.data == {
        "kind": "seller_answer",
        "reference": dispute.reference,
        "due_at": deadline.due_at.isoformat(),
        "whom": "seller",
    }
    assert words.subject == f"Reminder: dispute {dispute.reference} needs you"
    assert words.body.startswith(
        f"Seller's answer is due {moment(deadline.due_at)} (in 1\xa0day, 23\xa0hours)"
    )
    with time_machine.travel(deadline.due_at + timedelta(hours=1), tick=False):
        assert note.words.body == (
            f"Seller's answer was due {moment(deadline.due_at)}. Open the dispute to see what "
            "happened."
        )


@pytest.mark.django_db
def test_staff_changes_are_recorded_as_data_and_told_to_both(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    deadline = Deadline.objects.get(dispute=dispute, kind=DeadlineKind.SELLER_ANSWER)
    now = timezone.now()
    extended = deadline_extend(deadline=deadline, actor=arbiter, hours=24, reason="Strike", now=now)
    deadline_pause(deadline=deadline, actor=arbiter, reason="Carrier", now=now + timedelta(hours=1))
    deadline_resume(deadline=deadline, actor=arbiter, reason="", now=now + timedelta(hours=3))

    events = list(dispute.events.filter(code__startswith="disputes.deadline.").order_by("id"))
    first = events[0].data
    assert (first["kind"], first["hours"], first["reason"]) == ("seller_answer", 24, "Strike")
    assert first["due_at"] == extended.due_at.isoformat()
    assert events[1].data["due_at"] is None and events[1].data["remaining"].startswith("P")
    due = extended.due_at + timedelta(hours=2)  # two hours paused
    assert [event.text for event in events] == [
        f"Seller's answer extended by 24 hours (now due {moment(extended.due_at)}). Reason: Strike",
        "Seller's answer paused. Reason: Carrier",
        f"Seller's answer running again, due {moment(due)}. Reason: resumed",
    ]
    told = Notification.objects.filter(code__startswith="disputes.deadline.")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([buyer.pk, seller.pk] * 3)
    assert {note.words.subject.endswith("a deadline changed") for note in told} == {True}
    assert {note.words.body for note in told} == {event.text for event in events}


@pytest.mark.django_db
def test_a_change_recorded_before_the_catalogue_reads_as_it_was_written(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    old = DisputeEvent.objects.create(
        dispute=dispute,
        code="disputes.deadline.extended",
        data={"deadline": 1, "kind": "appeal", "reason": "r", "text": "Old words. Reason: r"},
        created_at=timezone.now(),
    )
    assert old.text == "Old words. Reason: r"
