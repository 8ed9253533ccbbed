"""Each party of a case as a marketplace reads it, the same in the API's case read and in
every webhook's case snapshot: its external id and its available actions (`action`,
`due_by`, `default_outcome`, `clock`; disputes.available)."""

from collections.abc import Mapping
from typing import Any

from disputes.available import PARTIES, Parties


def parties_out(actions: Parties, external_ids: Mapping[str, str | None]) -> dict[str, Any]:
    """{"buyer": {...}, "seller": {...}} from `available_actions(…)` of one case."""
    return {
        party: {
            "external_id": external_ids[party],
            "available_actions": [
                {
                    "action": a.action,
                    "due_by": a.due_by,
                    "default_outcome": a.default_outcome,
                    "clock": a.clock or None,
                }
                for a in actions[party]
            ],
        }
        for party in PARTIES
    }
