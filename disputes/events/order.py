"""What the order's own timeline says of its disputes and refunds (the order page shows the
order's story whole: a dispute opened, closed, reopened by an appeal, each refund recorded).

The disputes app writes these `OrderEvent` rows (orders sits below disputes) through the same
`Recorder` as the act that caused them; they tell no one: the dispute's own event does."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from core.timeline import Data, Entry, Recorder, event_kind
from orders.models import OrderEvent

from ..models import OPEN_STATES, Dispute, DisputeState, Reason
from ._words import amount_of, items_list, state


def _opened(data: Data) -> str:
    words = {"dispute": data["dispute"], "reason": Reason(data["reason"]).label}
    if items := items_list(data):
        return _("Dispute %(dispute)s opened (%(reason)s) about %(items)s") % (
            words | {"items": items}
        )
    return _("Dispute %(dispute)s opened (%(reason)s)") % words


def _closed(data: Data) -> str:
    if data["state"] == DisputeState.CANCELLED:
        return _("Dispute %(dispute)s withdrawn by the buyer") % {"dispute": data["dispute"]}
    # Translators: %(state)s is how the dispute ended, e.g. "resolved".
    return _("Dispute %(dispute)s closed (%(state)s)") % {
        "dispute": data["dispute"],
        "state": state(data["state"]),
    }


def _refund(data: Data) -> str:
    words = {"amount": amount_of(data), "dispute": data.get("dispute")}
    if words["dispute"]:
        return (
            _(
                "Refund of %(amount)s recorded for dispute %(dispute)s, to the original payment "
                "method"
            )
            % words
        )
    return _("Refund of %(amount)s recorded, to the original payment method") % words


DISPUTE_OPENED = event_kind("disputes.order.dispute_opened", _opened)
DISPUTE_REOPENED = event_kind(
    "disputes.order.dispute_reopened",
    lambda d: (
        _("Dispute %(dispute)s reopened: the ruling was appealed") % {"dispute": d["dispute"]}
    ),
)
DISPUTE_CLOSED = event_kind("disputes.order.dispute_closed", _closed)
REFUND_RECORDED = event_kind("disputes.order.refund_recorded", _refund)


def dispute_on_order(
    recorder: Recorder,
    dispute: Dispute,
    *,
    from_state: str,
    actor_id: int | None,
    at: datetime,
    data: Mapping[str, Any],
) -> None:
    """An act that opened, reopened or closed `dispute` (already in its new state) also goes on
    its order's timeline; other acts stay on the dispute's."""
    was_open, is_open = from_state in OPEN_STATES, dispute.state in OPEN_STATES
    about: dict[str, Any] = {"dispute": dispute.reference}
    if not from_state:
        code = DISPUTE_OPENED.code
        about.update(reason=dispute.reason, items=data.get("items", []))
    elif is_open and not was_open:
        code = DISPUTE_REOPENED.code
    elif was_open and not is_open:
        code = DISPUTE_CLOSED.code
        about["state"] = dispute.state
    else:
        return
    recorder.add(_order_entry(dispute.order_id, code, actor_id, at, about))


def refund_on_order(recorder: Recorder, refund_order_id: int, at: datetime, data: Data) -> None:
    """A refund recorded by the ledger, on its order's timeline (by Parley: it pays)."""
    recorder.add(_order_entry(refund_order_id, REFUND_RECORDED.code, None, at, data))


def _order_entry(order_id: int, code: str, actor_id: int | None, at: datetime, data: Data) -> Entry:
    # The order's state is not what these acts change: no state change is shown.
    return OrderEvent.entry(
        code,
        subject_id=order_id,
        actor_id=actor_id,
        from_state="",
        to_state="",
        data=data,
        created_at=at,
    )
