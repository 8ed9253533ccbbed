"""Arbitration's acts on a case, each one function, whole: the queue (take, release,
reassign), the ruling, the request for evidence, and the decision on an appeal."""

from disputes.services import deadlines_first

from . import appeal, evidence, queue, ruling
from .case import QUEUE_STATES, Decision
from .queue import case_take_next

# Each act on a case runs the case's clocks already due first (disputes.services.catchup).
case_decide_appeal = deadlines_first(appeal.case_decide_appeal)
case_request_evidence = deadlines_first(evidence.case_request_evidence)
case_reassign = deadlines_first(queue.case_reassign)
case_release = deadlines_first(queue.case_release)
case_rule = deadlines_first(ruling.case_rule)

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
