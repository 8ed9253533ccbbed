"""The arbitration app's entries in the event catalogue: the queue's acts on a case, on the
dispute's timeline (recorded through disputes.events; nobody is told of them). Words are
rendered when shown, in the reader's language."""

from django.utils.translation import gettext as _

from core.timeline import event_kind

TAKEN = event_kind("arbitration.case.taken", lambda d: _("An arbiter took the case"))
RELEASED = event_kind("arbitration.case.released", lambda d: _("The case went back to the queue"))
REASSIGNED = event_kind(
    "arbitration.case.reassigned",
    lambda d: _("Case reassigned to %(name)s") % {"name": d["to_name"]},
)
