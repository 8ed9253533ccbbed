"""Arbitration's acts on a case, each one function, whole: the queue (take, release,
reassign), the ruling, the request for evidence, and the decision on an appeal."""

from .appeal import case_decide_appeal
from .case import QUEUE_STATES, Decision
from .evidence import case_request_evidence
from .queue import case_reassign, case_release, case_take_next
from .ruling import case_rule

__all__ = [
    "QUEUE_STATES",
    "Decision",
    "case_decide_appeal",
    "case_reassign",
    "case_release",
    "case_request_evidence",
    "case_rule",
    "case_take_next",
]
