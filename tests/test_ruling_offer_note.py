"""A ruling goes on the table as the arbiter's offer, its note the start of the reasons: cut
with an ellipsis, never mid-word without a mark (the ruling keeps the reasons whole)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from arbitration import services as arbitration
from arbitration.models import Ruling
from disputes.models import Offer, Party
from tests.case_file_helpers import _negotiate
from tests.factories import open_dispute
from timers.engine import enforce_deadlines

pytestmark = pytest.mark.django_db

REASONS = "The right earbud works, so about half of the value is lost. " * 8


def test_a_long_ruling_reads_on_its_offer_cut_with_an_ellipsis(buyer, seller, arbiter):
    start = timezone.now() - timedelta(days=30)
    with time_machine.travel(start, tick=False):
        dispute = open_dispute(buyer=buyer, seller=seller)
        _negotiate(dispute, buyer, seller)
    with time_machine.travel(start + timedelta(days=dispute.policy.negotiation_days, minutes=5)):
        enforce_deadlines()
        arbitration.case_take_next(arbiter=arbiter)
        decision = arbitration.Decision(
            outcome="partial_refund",
            rationale=REASONS,
            policy_clause="damaged",
            amount=Decimal("10"),
            cited_evidence=(),
        )
        arbitration.case_rule(dispute=dispute, arbiter=arbiter, decision=decision)
    note = Offer.objects.get(dispute=dispute, party=Party.ARBITER).note
    assert len(note) <= 200 and note.endswith("…")
    assert REASONS.startswith(note[:-1])
    assert Ruling.objects.get(dispute=dispute).rationale == REASONS
