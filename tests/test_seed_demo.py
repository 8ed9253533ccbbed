import pytest
from django.core.management import call_command

from accounts.models import User
from disputes.models import Dispute, DisputeState, EvidenceItem, Refund
from orders.models import Order, OrderState

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_covers_every_state(capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # refunds settle after commit
        call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (User.objects.count(), Order.objects.count(), Dispute.objects.count())

    call_command("seed_demo")
    second = capsys.readouterr().out

    assert (User.objects.count(), Order.objects.count(), Dispute.objects.count()) == counts
    assert set(Order.objects.values_list("state", flat=True)) == set(OrderState.values)
    assert set(Dispute.objects.values_list("state", flat=True)) == set(DisputeState.values)
    assert EvidenceItem.objects.filter(dispute__state=DisputeState.AWAITING_SELLER).exists()
    assert Refund.objects.filter(status="settled").count() >= 2
    for text in (first, second):
        assert "password for all: parley-demo" in text
        for username in ("buyer", "seller", "arbiter"):
            assert username in text
    assert "already exist" in second
    buyer = User.objects.get(username="buyer")
    assert buyer.check_password("parley-demo")
    assert User.objects.get(username="arbiter").is_arbiter


def test_demo_orders_tell_a_consistent_story():
    call_command("seed_demo")
    for order in Order.objects.all():
        assert order.events.exists()
        if order.state in (OrderState.RECEIVED, OrderState.COMPLETED):
            assert order.received_at < order.protection_ends_at
        if order.state == OrderState.SHIPPED:
            assert order.promised_delivery_at > order.all_shipped_at


def test_demo_shows_remedies_being_carried_out():
    call_command("seed_demo")
    states = set(Dispute.objects.values_list("state", flat=True))
    assert {DisputeState.AWAITING_REPLACEMENT, DisputeState.REPLACEMENT_IN_TRANSIT} <= states
    delivered = Dispute.objects.get(
        state=DisputeState.RETURN_IN_TRANSIT, return_delivered_at__isnull=False
    )
    assert delivered.deadlines.filter(kind="return_receipt", status="pending").exists()
    assert delivered.order.store.return_address
