"""The acts the clocks run at zero, found by the names the clocks give them (`Clock.at_zero`):
the batch forms in disputes.services, beside the person's act each one mirrors."""

from collections.abc import Callable
from datetime import datetime
from typing import cast

from .. import services
from ..models import Dispute

Dues = list[tuple[Dispute, datetime]]  # locked disputes, each with when its clock fell due
BatchAct = Callable[..., None]  # act(dues, *, ran_at=…, **clock.act_options())


def act_named(name: str) -> BatchAct:
    """The batch act called `name`; a LookupError names a clock whose act does not exist."""
    act = getattr(services, name, None)
    if not callable(act):
        raise LookupError(f"disputes.services has no batch act {name}.")
    return cast(BatchAct, act)
