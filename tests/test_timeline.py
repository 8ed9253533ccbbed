"""The timeline's catalogue: every code the suite records is in it, and every entry says its
sentence, and its notes, from data of the shape its act records."""

import pytest
from django.utils.translation import gettext_noop

from core.outbox import NOTE_WORDS, Phrase
from core.timeline import CATALOGUE, describe
from disputes.models import Party
from notifications.words import event_note_text
from tests.conftest import RECORDED_CODES

AT = "2026-12-05T10:13:00+00:00"
LATER = "2026-12-05T10:14:07.123456+00:00"
REFUND = {"id": 7, "remedy": "partial_refund", "amount": "20.00", "currency": "USD"}
RETURN = {"id": 8, "remedy": "return_and_refund", "amount": "50.00", "currency": "USD"}
CLOCK = {"due_at": AT, "ran_at": LATER}
ITEMS = [{"line": 4, "title": "Blue kettle", "quantity": 1}]
TITLE = Phrase(gettext_noop("Case %(reference)s"), {"reference": "PA-7KQ2M9XZ"})

# One example of each entry's data, as its act records it.
SAMPLES = {
    "orders.order.placed": {"total": "50.00", "currency": "USD"},
    "orders.order.paid": {"amount": "50.00", "currency": "USD", "method": "card"},
    "orders.order.cancelled": {},
    "orders.parcel.shipped": {
        "parcel": 3,
        "carrier": "dhl",
        "tracking_number": "JD0001",
        "delivery_days": 12,
    },
    "orders.order.shipped": {"delivery_days": 12, "promised_delivery_at": AT},
    "orders.order.received": {"automatic": True, "protection_ends_at": AT, "ran_at": LATER},
    "orders.order.completed": {
        "released": "30.00",
        "paid": "50.00",
        "refunded": "20.00",
        "currency": "USD",
        "ran_at": LATER,
    },
    "disputes.dispute.opened": {
        "reason": "damaged",
        "order": "PA-7KQ2M9XZ",
        "offer": REFUND,
        "photos": 1,
        "answer_days": 5,
        "items": ITEMS,
    },
    "disputes.dispute.modified": {"offer": REFUND, "photos": 0, "items": ITEMS},
    "disputes.offer.accepted": {"offer": RETURN, "state": "awaiting_return"},
    "disputes.dispute.escalated": {},
    "disputes.dispute.cancelled": {},
    "disputes.refund.failed": {
        "refund": 7,
        "amount": "20.00",
        "currency": "USD",
        "reason": "the card was closed",
    },
    "disputes.refund.settled": {"refund": 7, "amount": "20.00", "currency": "USD"},
    "disputes.refund.reissued": {"refund": 8, "amount": "20.00", "currency": "USD", "failed": 7},
    "disputes.return.shipped": {"carrier": "royal_mail", "tracking_number": "RT0001GB"},
    "disputes.dispute.seller_accepted": {"offer": REFUND, "state": "resolved"},
    "disputes.dispute.seller_rejected": {"offer": REFUND, "message": 4, "photos": 1},
    "disputes.return.received": {"offer": RETURN},
    "disputes.message.posted": {"message": 5, "photos": 2},
    "disputes.dispute.appealed": {"party": "seller", "message": 6, "photos": 0},
    "disputes.dispute.ruled": {"offer": None, "ruling": 1},
    "disputes.evidence.requested": {
        "party": "buyer",
        "message": 9,
        "request": "A photo of the label, please.",
        "due_at": AT,
    },
    "disputes.dispute.appeal_decided": {"decision": "replaced", "offer": REFUND, "ruling": 2},
    "disputes.order.dispute_opened": {
        "dispute": "DS-7KQ2M9XZ",
        "reason": "damaged",
        "items": ITEMS,
    },
    "disputes.order.dispute_reopened": {"dispute": "DS-7KQ2M9XZ"},
    "disputes.order.dispute_closed": {"dispute": "DS-7KQ2M9XZ", "state": "resolved"},
    "disputes.order.refund_recorded": {
        "refund": 3,
        "amount": "20.00",
        "currency": "USD",
        "dispute": "DS-7KQ2M9XZ",
    },
    "disputes.rule.seller_silence": {
        **CLOCK,
        "rule": "seller_answer",
        "days": 5,
        "offer": REFUND,
        "state": "resolved",
    },
    "disputes.rule.negotiation_limit": {**CLOCK, "rule": "negotiation_limit", "days": 14},
    "disputes.rule.goods_in_transit": {**CLOCK, "rule": "goods_in_transit", "days": 14},
    "disputes.rule.return_not_shipped": {**CLOCK, "rule": "return_shipment", "days": 7},
    "disputes.rule.return_receipt": {**CLOCK, "rule": "return_receipt", "offer": RETURN},
    "disputes.rule.ruling_final": {**CLOCK, "rule": "appeal", "days": 7, "state": "resolved"},
    "disputes.replacement.shipped": {
        "carrier": "dhl",
        "tracking_number": "JD0002",
        "delivery_days": 12,
        "delivery_by": AT,
    },
    "disputes.replacement.received": {"window_until": AT},
    "disputes.rule.replacement_receipt": {
        **CLOCK,
        "rule": "replacement_receipt",
        "window_until": AT,
    },
    "disputes.rule.replacement_not_shipped": {
        **CLOCK,
        "rule": "replacement_shipment",
        "days": 10,
        "amount": "50.00",
        "currency": "USD",
    },
    "disputes.return.delivered": {"by": "staff", "delivered_at": AT, "confirm_by": LATER},
    "disputes.rule.evidence_overdue": {
        **CLOCK,
        "rule": "evidence_request",
        "party": "seller",
        "state": "escalated",
    },
    "arbitration.case.taken": {},
    "arbitration.case.released": {},
    "arbitration.case.reassigned": {"to": 3, "to_name": "Ada Arbiter"},
    "disputes.deadline.extended": {
        "deadline": 4,
        "kind": "seller_answer",
        "reason": "Carrier strike.",
        "hours": 24,
        "due_at": AT,
        "remaining": None,
    },
    "disputes.deadline.reminded": {
        "deadline": 4,
        "kind": "seller_answer",
        "due_at": AT,
        "party": "seller",
    },
    "disputes.deadline.paused": {
        "deadline": 4,
        "kind": "return_shipment",
        "reason": "Waiting for the carrier.",
        "due_at": None,
        "remaining": "P2DT3H",
    },
    "disputes.sandbox.advanced": {
        "deadline": 4,
        "kind": "seller_answer",
        "due_at": AT,
        "by": "buyer",
    },
    "disputes.deadline.resumed": {
        "deadline": 4,
        "kind": "return_shipment",
        "reason": "The carrier answered.",
        "due_at": AT,
        "remaining": None,
    },
}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_entry_says_its_sentence_and_notes_from_its_data(code):
    assert code in SAMPLES, f"add an example of {code}'s data to SAMPLES"
    kind, data = CATALOGUE[code], SAMPLES[code]
    sentence = kind.describe(data)  # directly: describe() would hide an error behind a fallback
    assert sentence and sentence == describe(code, data)
    parties = kind.parties(data)
    assert set(parties) <= {Party.BUYER, Party.SELLER}
    for _ in parties:
        assert (kind.headline or kind.describe)(data)
        assert kind.note_body(data)
    if parties:  # its note, as a notification says it when read (directly: no fallback)
        subject, body = event_note_text(kind, {"title": TITLE.stored(), "event": data})
        assert subject.startswith("Case PA-7KQ2M9XZ: ") and body == kind.note_body(data)


# Words of notes that are not an event's (core.outbox.NOTE_WORDS), with example data: each
# code registered must have one here.
NOTE_SAMPLES: dict[str, dict] = {
    "disputes.note.messages": {"party": "seller", "reference": "DS-7KQ2M9XZ"},
    "disputes.note.evidence": {"reference": "DS-7KQ2M9XZ"},
    "disputes.note.evidence_answered": {"party": "buyer", "reference": "DS-7KQ2M9XZ"},
    "disputes.note.appealed": {"party": "seller", "reference": "DS-7KQ2M9XZ"},
    "casefile.note.ready": {"reference": "DS-7KQ2M9XZ"},
    "disputes.note.reminder": {
        "kind": "seller_answer",
        "reference": "DS-7KQ2M9XZ",
        "due_at": "2026-12-05T10:13:00+00:00",
        "whom": "seller",
    },
}


def test_every_note_code_says_its_words_from_its_data():
    assert set(NOTE_WORDS) <= set(NOTE_SAMPLES), "add an example of each code's data"
    for code, words in NOTE_WORDS.items():
        for count in (1, 3):  # a burst's count
            subject, body = words(NOTE_SAMPLES[code], count)
            assert subject and body, code


def test_the_examples_are_of_catalogued_codes():
    assert set(SAMPLES) <= set(CATALOGUE)


def test_some_sentences_read_as_they_always_have():
    opened = SAMPLES["disputes.dispute.opened"]
    before_items = {key: value for key, value in opened.items() if key != "items"}
    assert describe("disputes.dispute.opened", before_items) == (
        "Dispute opened (Damaged or defective); asks for Partial refund of 20.00 USD"
    )
    assert describe("disputes.dispute.opened", opened) == (
        "Dispute opened (Damaged or defective) about Blue kettle ×1; asks for Partial refund of "
        "20.00 USD"
    )
    assert describe("disputes.rule.return_receipt", SAMPLES["disputes.rule.return_receipt"]) == (
        "The seller did not confirm the returned item in time: the refund of 50.00 USD is paid"
    )
    assert CATALOGUE["disputes.evidence.requested"].note_body(
        SAMPLES["disputes.evidence.requested"]
    ) == (
        "A photo of the label, please. Please answer in the dispute's messages by "
        "5 Dec 2026, 10:13 UTC; without an answer the arbiter decides on what is there."
    )


def test_an_old_row_keeps_its_sentence():
    """Rows written before events carried data keep theirs in data["text"]."""
    old = {"offer": 12, "photos": 1, "text": "Dispute opened (Damaged); asks for Replacement"}
    assert describe("disputes.dispute.opened", old) == old["text"]


def test_every_code_the_suite_records_is_catalogued():
    """Runs last (see conftest): by then the suite has recorded every kind of act."""
    unknown = {code for code in RECORDED_CODES if code not in CATALOGUE}
    assert not unknown, f"recorded but not in the catalogue: {sorted(unknown)}"
