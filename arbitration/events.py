"""The arbitration app's entries in the event catalogue: the queue's acts on a case, on the
dispute's timeline (recorded through disputes.events; nobody is told of them)."""

from core.timeline import event_kind

TAKEN = event_kind("arbitration.case.taken", lambda d: "An arbiter took the case")
RELEASED = event_kind("arbitration.case.released", lambda d: "The case went back to the queue")
REASSIGNED = event_kind(
    "arbitration.case.reassigned", lambda d: f"Case reassigned to {d['to_name']}"
)
