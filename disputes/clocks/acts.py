"""The acts the clocks run at zero, found by the names the clocks give them (`Clock.at_zero`).

They are the batch forms in disputes.services. Until they land there under those names
(another branch is moving them out of disputes/clock.py), `_RENAMED` maps each name to
today's. MERGE: import `services as _home` instead of `clock`, and delete `_RENAMED`.
"""

from collections.abc import Callable
from datetime import datetime
from typing import cast

from .. import clock as _home
from ..models import Dispute

Dues = list[tuple[Dispute, datetime]]  # locked disputes, each with when its clock fell due
BatchAct = Callable[..., None]  # act(dues, *, ran_at=…, **clock.act_options())

_RENAMED = {
    "dispute_resolve_for_seller_silence_many": "resolve_for_seller_silence_many",
    "dispute_escalate_many": "escalate_many",
    "dispute_close_unshipped_return_many": "close_unshipped_return_many",
    "dispute_refund_unconfirmed_return_many": "refund_unconfirmed_return_many",
    "dispute_finalize_many": "finalize_many",
    "dispute_evidence_overdue_many": "evidence_overdue_many",
}


def act_named(name: str) -> BatchAct:
    """The batch act called `name`; a LookupError names a clock whose act does not exist."""
    act = getattr(_home, _RENAMED.get(name, name), None)
    if not callable(act):
        raise LookupError(f"disputes.services has no batch act {name}.")
    return cast(BatchAct, act)
