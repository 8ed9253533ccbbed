"""The clocks of a dispute: one kind per module section, each defined in one place (see base).

Adding a kind of clock: a `DeadlineKind` value (the column's choices), a registered `Clock`
subclass in the module of its subject, and the batch act it names in disputes.services.
Syncing (disputes.deadlines), the engine's rules (.rules) and the pages all read `CLOCKS`.
"""

from datetime import datetime

from ..models import Dispute
from . import negotiation, replacement, returns, rulings  # noqa: F401  (each registers its clocks)
from .base import CLOCKS, Clock

__all__ = ["CLOCKS", "Clock", "clock_of", "wanted_deadlines"]


def clock_of(kind: str) -> Clock:
    return CLOCKS[kind]


def wanted_deadlines(dispute: Dispute) -> dict[str, datetime]:
    """The clocks that run in the dispute's current state, with their base due times."""
    wanted = {kind: clock.due(dispute) for kind, clock in CLOCKS.items()}
    return {kind: due for kind, due in wanted.items() if due is not None}
