"""The timeline's words are the reader's: every sentence, headline and note body of the event
catalogue is looked up in the message catalogue when it is read (not at import, not when the
act was recorded), as whole sentences, with counts in their plural forms.

A stand-in translation wraps every message it is asked for in ⟦ ⟧: text left outside the
brackets was not asked for (glued on, or English baked in), except punctuation between whole
sentences and the state names the models mark themselves."""

import re

import pytest
from django.utils import translation

from core.timeline import CATALOGUE, describe
from disputes.models import DisputeState
from tests.test_timeline import REFUND, SAMPLES

# More shapes of data than SAMPLES has: each variant of a sentence is its own message.
VARIANTS = {
    "disputes.dispute.opened": [{"items": []}],
    "disputes.dispute.modified": [{"items": [], "lapsed": REFUND}, {"lapsed": REFUND}],
    "disputes.dispute.seller_rejected": [
        {"offer": None},
        {"offer": None, "lapsed": REFUND},
        {"lapsed": REFUND},
    ],
    "disputes.dispute.appealed": [{"party": "buyer"}],
    "disputes.dispute.ruled": [{"offer": REFUND}],
    "disputes.dispute.appeal_decided": [
        {"decision": decision} for decision in ("upheld", "rejected", "nothing_due")
    ],
    "disputes.evidence.requested": [{"party": "seller"}],
    "disputes.rule.evidence_overdue": [{"party": "buyer"}],
    "disputes.deadline.reminded": [{"party": "buyer"}],
    "disputes.deadline.extended": [{"due_at": None}, {"hours": 1}],
    "disputes.deadline.resumed": [{"reason": ""}],
    "disputes.return.delivered": [{"by": "carrier"}, {"by": "seller"}],
    "disputes.rule.replacement_not_shipped": [{"amount": None}],
    "disputes.order.dispute_opened": [{"items": []}],
    "disputes.order.dispute_closed": [{"state": "cancelled"}],
    "disputes.order.refund_recorded": [{"dispute": None}],
    "disputes.message.posted": [{"photos": 0}, {"photos": 1}],
    "orders.order.received": [{"automatic": False}],
    "orders.order.completed": [{"refunded": "0"}],
}


def _examples():
    for code in sorted(CATALOGUE):
        yield code, SAMPLES[code]
        for change in VARIANTS.get(code, []):
            yield code, {**SAMPLES[code], **change}


def _bracket(patch: pytest.MonkeyPatch) -> None:
    """A translation that wraps each message it is asked for (the active one, as Django's
    gettext functions find it)."""
    trans = translation._trans  # type: ignore[attr-defined]  # (Django's own lookup of it)
    patch.setattr(trans, "gettext", lambda message: f"⟦{message}⟧", raising=False)
    patch.setattr(
        trans, "ngettext", lambda one, many, n: f"⟦{one if n == 1 else many}⟧", raising=False
    )
    patch.setattr(trans, "pgettext", lambda context, message: f"⟦{message}⟧", raising=False)


@pytest.fixture
def bracketed(monkeypatch):
    _bracket(monkeypatch)


def _outside(text: str) -> str:
    """What is left of `text` once every bracketed message (with what was put into it) is
    taken out."""
    while (shorter := re.sub(r"⟦[^⟦⟧]*⟧", "", text)) != text:
        text = shorter
    return text


# A note's subject may be a state's name, which the model's choices mark (lazily).
STATE_NAMES = {str(label).lower() for label in DisputeState.labels}


@pytest.mark.parametrize(("code", "data"), list(_examples()))
def test_every_word_of_an_entry_is_asked_for_when_it_is_read(bracketed, code, data):
    kind = CATALOGUE[code]
    words = [kind.describe(data)]
    if kind.parties(data):
        words += [(kind.headline or kind.describe)(data), kind.note_body(data)]
    for text in words:
        if text in STATE_NAMES:
            continue
        left = _outside(text)
        assert text.startswith("⟦") and not re.search(r"[^\W\d_]", left), (
            f"{code}: {left!r} was not asked for, in {text!r}"
        )


def test_the_same_event_reads_in_each_readers_language(monkeypatch):
    """Nothing is kept from when the act was recorded: the sentence is asked for each time."""
    data = SAMPLES["disputes.rule.seller_silence"]
    english = describe("disputes.rule.seller_silence", data)
    with monkeypatch.context() as patch:
        _bracket(patch)
        other = describe("disputes.rule.seller_silence", data)
    assert english == (
        "The seller did not answer in 5 days: the buyer's claim is carried out "
        "(Partial refund of 20.00 USD)"
    )
    assert other.startswith("⟦The seller did not answer in 5 days") and other.endswith("⟧")


def test_counts_take_their_plural_form():
    opened = SAMPLES["disputes.dispute.opened"]
    body = CATALOGUE["disputes.dispute.opened"].note_body
    assert "Please answer within 1 day;" in body({**opened, "answer_days": 1})
    assert "Please answer within 5 days;" in body({**opened, "answer_days": 5})
    extended = SAMPLES["disputes.deadline.extended"]
    assert "extended by 1 hour (" in describe("disputes.deadline.extended", extended | {"hours": 1})
    posted = SAMPLES["disputes.message.posted"]
    assert describe("disputes.message.posted", posted | {"photos": 1}) == "Message with 1 photo"
    assert describe("disputes.message.posted", posted | {"photos": 0}) == "Message"


def test_a_resumed_clock_without_a_reason_reads_as_it_always_has():
    resumed = SAMPLES["disputes.deadline.resumed"] | {"reason": ""}
    assert describe("disputes.deadline.resumed", resumed).endswith(". Reason: resumed")
