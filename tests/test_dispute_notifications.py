"""Who hears of each act on a dispute: acts that concern both parties reach both inboxes."""

import pytest

from disputes import services
from notifications.models import Notification
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


def test_both_parties_hear_of_agreements_escalations_and_withdrawals(buyer, seller):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    services.dispute_cancel(dispute=dispute, actor=buyer)
    for person in (buyer, seller):
        subjects = [note.words.subject for note in Notification.objects.filter(recipient=person)]
        assert any("with an arbiter" in s for s in subjects), subjects
        assert any("withdrawn" in s for s in subjects), subjects
