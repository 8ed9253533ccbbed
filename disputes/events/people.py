"""What buyers, sellers and arbiters do to a dispute: the catalogue entries of their acts.

Each entry says the act in the timeline's words and names whom it is told to, with the note's
subject (after "Dispute DS-…: ") and body; all from the event's data alone, in the language
active when they are read (see _words).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from core.moments import moment, parsed
from core.timeline import Data, event_kind
from orders.models import Carrier

from ..models import DisputeState, Party, Reason
from ._words import (
    amount_of,
    both,
    by_party,
    full_stop,
    items_list,
    now_in,
    offer_text,
    state,
)


def _reason(data: Data) -> str:
    return str(Reason(data["reason"]).label)


def _opened(data: Data) -> str:
    words = {"reason": _reason(data), "offer": offer_text(data["offer"])}
    if items := items_list(data):
        return _("Dispute opened (%(reason)s) about %(items)s; asks for %(offer)s") % (
            words | {"items": items}
        )
    return _("Dispute opened (%(reason)s); asks for %(offer)s") % words


def _opened_told(data: Data) -> str:
    words = {"reason": _reason(data), "offer": offer_text(data["offer"])}
    if items := items_list(data):
        reports = _("The buyer reports “%(reason)s” about %(items)s and asks for %(offer)s.") % (
            words | {"items": items}
        )
    else:
        reports = _("The buyer reports “%(reason)s” and asks for %(offer)s.") % words
    days = data["answer_days"]
    answer = ngettext(
        "Please answer within %(days)s day; if you don't, the buyer's claim is carried out.",
        "Please answer within %(days)s days; if you don't, the buyer's claim is carried out.",
        days,
    ) % {"days": days}
    return f"{reports} {answer}"


def _modified(data: Data) -> str:
    items, lapsed = items_list(data), data.get("lapsed")  # older rows have no "lapsed"
    words = {"offer": offer_text(data["offer"]), "items": items}
    if lapsed:
        words["lapsed"] = offer_text(lapsed)
        if items:
            return (
                _(
                    "Buyer changed the claim about %(items)s: now asks for %(offer)s "
                    "(the seller's offer of %(lapsed)s lapsed)"
                )
                % words
            )
        return (
            _(
                "Buyer changed the claim: now asks for %(offer)s (the seller's offer of %(lapsed)s "
                "lapsed)"
            )
            % words
        )
    if items:
        return _("Buyer changed the claim about %(items)s: now asks for %(offer)s") % words
    return _("Buyer changed the claim: now asks for %(offer)s") % words


def _seller_rejected(data: Data) -> str:
    counter, lapsed = data["offer"], data.get("lapsed")  # older rows have no "lapsed"
    words = {"offer": counter and offer_text(counter), "lapsed": lapsed and offer_text(lapsed)}
    if counter and lapsed:
        return (
            _(
                "Seller rejected the claim; offers %(offer)s instead (the seller's offer of "
                "%(lapsed)s lapsed)"
            )
            % words
        )
    if counter:
        return _("Seller rejected the claim; offers %(offer)s instead") % words
    if lapsed:
        return _("Seller rejected the claim (the seller's offer of %(lapsed)s lapsed)") % words
    return _("Seller rejected the claim")


def _seller_rejected_told(data: Data) -> str:
    if data["offer"]:
        return _(
            "The seller rejected your claim; offers %(offer)s instead. You can accept, change "
            "your claim, or ask Parley to decide."
        ) % {"offer": offer_text(data["offer"])}
    return _(
        "The seller rejected your claim. You can accept, change your claim, or ask Parley to "
        "decide."
    )


def _ruled(data: Data) -> str:
    if data["offer"]:
        return _("Parley arbiter ruled: %(offer)s") % {"offer": offer_text(data["offer"])}
    return _("Parley arbiter ruled: the claim is rejected")


def _ruled_told(data: Data) -> str:
    if data["offer"]:
        return _("Decision: %(offer)s. Open the dispute to read the arbiter's reasons.") % {
            "offer": offer_text(data["offer"])
        }
    return _("Decision: the claim is rejected. Open the dispute to read the arbiter's reasons.")


# An appeal's decision other than a new offer, in the timeline's words and in the note's.
_APPEAL_DECIDED = {
    "upheld": gettext_lazy("Appeal decided, final: the ruling is upheld"),
    "rejected": gettext_lazy(
        "Appeal decided, final: the claim is rejected (refunds already paid are not reclaimed)"
    ),
    "nothing_due": gettext_lazy("Appeal decided, final: no further refund is due"),
}
_APPEAL_DECIDED_TOLD = {
    "upheld": gettext_lazy(
        "Final decision: the ruling is upheld. Open the dispute to read the reasons."
    ),
    "rejected": gettext_lazy(
        "Final decision: the claim is rejected (refunds already paid are not reclaimed). "
        "Open the dispute to read the reasons."
    ),
    "nothing_due": gettext_lazy(
        "Final decision: no further refund is due. Open the dispute to read the reasons."
    ),
}


def _appeal_decided(data: Data) -> str:
    if data["decision"] == "replaced":
        return _("Appeal decided, final: %(offer)s") % {"offer": offer_text(data["offer"])}
    return str(_APPEAL_DECIDED[data["decision"]])


def _appeal_decided_told(data: Data) -> str:
    if data["decision"] == "replaced":
        return _("Final decision: %(offer)s. Open the dispute to read the reasons.") % {
            "offer": offer_text(data["offer"])
        }
    return str(_APPEAL_DECIDED_TOLD[data["decision"]])


def _evidence_requested(data: Data) -> str:
    words = {"when": moment(parsed(data["due_at"]))}
    return by_party(
        data,
        buyer=_("The arbiter asked the buyer for more evidence by %(when)s") % words,
        seller=_("The arbiter asked the seller for more evidence by %(when)s") % words,
    )


def _evidence_requested_told(data: Data) -> str:
    return _(
        # Translators: %(request)s is what the arbiter wrote, as they wrote it.
        "%(request)s Please answer in the dispute's messages by %(when)s; without an answer "
        "the arbiter decides on what is there."
    ) % {"request": data["request"], "when": moment(parsed(data["due_at"]))}


def _message(data: Data) -> str:
    photos = data["photos"]
    if not photos:
        return pgettext("timeline entry", "Message")
    return ngettext("Message with %(count)s photo", "Message with %(count)s photos", photos) % {
        "count": photos
    }


# --- The buyer --------------------------------------------------------------------------------

OPENED = event_kind(
    "disputes.dispute.opened",
    _opened,
    tell=lambda d: [Party.SELLER],
    headline=lambda d: _("opened on order %(order)s") % {"order": d["order"]},
    told=_opened_told,
)
MODIFIED = event_kind(
    "disputes.dispute.modified",
    _modified,
    tell=lambda d: [Party.SELLER],
    headline=lambda d: _("the buyer changed the claim"),
    told=lambda d: (
        _("The buyer now asks for %(offer)s. Your time to answer starts again.")
        % {"offer": offer_text(d["offer"])}
    ),
)


def _offer_accepted(data: Data) -> str:
    return _("Buyer accepted the seller's offer: %(offer)s") % {"offer": offer_text(data["offer"])}


OFFER_ACCEPTED = event_kind(
    "disputes.offer.accepted",
    _offer_accepted,
    tell=both,
    headline=now_in,
    told=full_stop(_offer_accepted),
)


def _escalated(data: Data) -> str:
    return _("Buyer asked Parley to decide: the case went to an arbiter")


ESCALATED = event_kind(
    "disputes.dispute.escalated",
    _escalated,
    tell=both,
    headline=lambda d: state(DisputeState.ESCALATED),
    told=full_stop(_escalated),
)


def _cancelled(data: Data) -> str:
    return _("Buyer withdrew the dispute")


CANCELLED = event_kind(
    "disputes.dispute.cancelled",
    _cancelled,
    tell=both,
    headline=lambda d: state(DisputeState.CANCELLED),
    told=full_stop(_cancelled),
)


def _return_shipped(data: Data) -> str:
    return _("Buyer shipped the return with %(carrier)s, tracking %(tracking)s") % {
        "carrier": Carrier(data["carrier"]).label,
        "tracking": data["tracking_number"],
    }


RETURN_SHIPPED = event_kind(
    "disputes.return.shipped",
    _return_shipped,
    tell=both,
    headline=lambda d: state(DisputeState.RETURN_IN_TRANSIT),
    told=full_stop(_return_shipped),
)

# --- The seller -------------------------------------------------------------------------------


def _seller_accepted(data: Data) -> str:
    return _("Seller accepted the buyer's claim: %(offer)s") % {"offer": offer_text(data["offer"])}


SELLER_ACCEPTED = event_kind(
    "disputes.dispute.seller_accepted",
    _seller_accepted,
    tell=both,
    headline=now_in,
    told=full_stop(_seller_accepted),
)
SELLER_REJECTED = event_kind(
    "disputes.dispute.seller_rejected",
    _seller_rejected,
    tell=lambda d: [Party.BUYER],
    headline=lambda d: _("the seller answered"),
    told=_seller_rejected_told,
)


def _return_received(data: Data) -> str:
    return _("Seller confirmed the returned item arrived; refund of %(amount)s paid") % {
        "amount": amount_of(data["offer"])
    }


RETURN_RECEIVED = event_kind(
    "disputes.return.received",
    _return_received,
    tell=both,
    headline=lambda d: state(DisputeState.RESOLVED),
    told=full_stop(_return_received),
)

# --- Either party -----------------------------------------------------------------------------

MESSAGE_POSTED = event_kind("disputes.message.posted", _message)
APPEALED = event_kind(
    "disputes.dispute.appealed",
    lambda d: by_party(
        d,
        buyer=_(
            "The buyer appealed the ruling; another arbiter will decide, and that decision is final"
        ),
        seller=_(
            "The seller appealed the ruling; another arbiter will decide, and that decision is "
            "final"
        ),
    ),
    tell=both,
    headline=lambda d: _("the ruling was appealed"),
    told=lambda d: by_party(
        d,
        buyer=_("The buyer appealed. A different Parley arbiter will review the case."),
        seller=_("The seller appealed. A different Parley arbiter will review the case."),
    ),
)

# --- The arbiter ------------------------------------------------------------------------------

RULED = event_kind(
    "disputes.dispute.ruled",
    _ruled,
    tell=both,
    headline=lambda d: _("the arbiter has decided"),
    told=_ruled_told,
)
EVIDENCE_REQUESTED = event_kind(
    "disputes.evidence.requested",
    _evidence_requested,
    tell=lambda d: [d["party"]],
    headline=lambda d: _("the arbiter needs more from you"),
    told=_evidence_requested_told,
)
APPEAL_DECIDED = event_kind(
    "disputes.dispute.appeal_decided",
    _appeal_decided,
    tell=both,
    headline=lambda d: _("the appeal is decided"),
    told=_appeal_decided_told,
)
