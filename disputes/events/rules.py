"""What the clock does to a dispute when nobody acted in time: the catalogue entries of its
acts (codes `disputes.rule.<what happened>`). Their data keeps the deadline's kind (`rule`),
when it fell due (`due_at`, the act's date) and when the engine really ran (`ran_at`)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.timeline import Data, event_kind

from ..models import DisputeState
from ._words import amount_of, both, by_party, full_stop, now_in, offer_text, state


def _seller_silence(data: Data) -> str:
    days = data["days"]
    return ngettext(
        "The seller did not answer in %(days)s day: the buyer's claim is carried out (%(offer)s)",
        "The seller did not answer in %(days)s days: the buyer's claim is carried out (%(offer)s)",
        days,
    ) % {"days": days, "offer": offer_text(data["offer"])}


def _negotiation_limit(data: Data) -> str:
    days = data["days"]
    return ngettext(
        "No agreement within %(days)s day of filing: the case went to a Parley arbiter",
        "No agreement within %(days)s days of filing: the case went to a Parley arbiter",
        days,
    ) % {"days": days}


def _goods_in_transit(data: Data) -> str:
    return _(
        "The seller's delivery time limit ran out with the parcel still not received: "
        "the case went to a Parley arbiter"
    )


def _return_not_shipped(data: Data) -> str:
    days = data["days"]
    return ngettext(
        "The buyer did not ship the return within %(days)s day: the dispute is closed in the "
        "seller's favour, without a refund",
        "The buyer did not ship the return within %(days)s days: the dispute is closed in the "
        "seller's favour, without a refund",
        days,
    ) % {"days": days}


def _return_receipt(data: Data) -> str:
    return _(
        "The seller did not confirm the returned item in time: the refund of %(amount)s is paid"
    ) % {"amount": amount_of(data["offer"])}


def _ruling_final(data: Data) -> str:
    days = data["days"]
    return ngettext(
        "No appeal within %(days)s day: the ruling is final",
        "No appeal within %(days)s days: the ruling is final",
        days,
    ) % {"days": days}


def _evidence_overdue(data: Data) -> str:
    return by_party(
        data,
        buyer=_("No answer from the buyer in time: the case returned to the queue"),
        seller=_("No answer from the seller in time: the case returned to the queue"),
    )


def _evidence_overdue_told(data: Data) -> str:
    return by_party(
        data,
        buyer=_(
            "No answer from the buyer to the arbiter's request: the arbiter decides on what is "
            "there."
        ),
        seller=_(
            "No answer from the seller to the arbiter's request: the arbiter decides on what "
            "is there."
        ),
    )


def _escalated(data: Data) -> str:
    return state(DisputeState.ESCALATED)


SELLER_SILENCE = event_kind(
    "disputes.rule.seller_silence",
    _seller_silence,
    tell=both,
    headline=now_in,
    told=full_stop(_seller_silence),
)
# The two escalations tell their sentence as it is (no full stop), as they always have.
NEGOTIATION_LIMIT = event_kind(
    "disputes.rule.negotiation_limit", _negotiation_limit, tell=both, headline=_escalated
)
GOODS_IN_TRANSIT = event_kind(
    "disputes.rule.goods_in_transit", _goods_in_transit, tell=both, headline=_escalated
)
RETURN_NOT_SHIPPED = event_kind(
    "disputes.rule.return_not_shipped",
    _return_not_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_not_shipped),
)
RETURN_RECEIPT = event_kind(
    "disputes.rule.return_receipt",
    _return_receipt,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_receipt),
)
RULING_FINAL = event_kind(
    "disputes.rule.ruling_final",
    _ruling_final,
    tell=both,
    headline=now_in,
    told=lambda d: _("Nobody appealed in time: the ruling is final."),
)
EVIDENCE_OVERDUE = event_kind(
    "disputes.rule.evidence_overdue",
    _evidence_overdue,
    tell=both,
    headline=now_in,
    told=_evidence_overdue_told,
)
