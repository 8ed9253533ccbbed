"""Staff changes to a running clock, the engine's reminders and a sandbox's test clock, in the
event catalogue: what each says on the timeline and in the note both parties get. Registered
from DisputesConfig.ready.

Data: {"deadline": id, "kind": DeadlineKind value, "reason": staff's words, "due_at": the new
due time (None while paused), "remaining": time left while paused (ISO 8601 duration, or
None), and "hours" for an extension}. Moments are rendered when shown, never stored as text.
Rows from before this catalogue keep their sentence in data["text"]: lacking "hours" or
"due_at", an extension or a resumption falls back to it (a pause reads the same either way).

A reminder ({"deadline": id, "kind", "due_at", "party": who must act}) tells nobody through
the catalogue: the clock's own reminder note (its words, its key) goes with the event.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.moments import moment, parsed
from core.timeline import Data, event_kind

from ..models import DeadlineKind, Party

_BOTH = (Party.BUYER.value, Party.SELLER.value)


def _label(data: Data) -> str:
    return str(DeadlineKind(data["kind"]).label)


def _extended(data: Data) -> str:
    hours, due_at = data["hours"], data["due_at"]
    words = {"clock": _label(data), "hours": hours, "reason": data["reason"]}
    if due_at:
        words["when"] = moment(parsed(due_at))
        sentence = ngettext(
            # Translators: %(clock)s names a deadline ("Seller's answer"); %(reason)s is
            # what Parley staff wrote, as they wrote it.
            "%(clock)s extended by %(hours)s hour (now due %(when)s). Reason: %(reason)s",
            "%(clock)s extended by %(hours)s hours (now due %(when)s). Reason: %(reason)s",
            hours,
        )
    else:
        sentence = ngettext(
            # Translators: %(clock)s names a deadline ("Seller's answer"); %(reason)s is
            # what Parley staff wrote, as they wrote it.
            "%(clock)s extended by %(hours)s hour (when it resumes). Reason: %(reason)s",
            "%(clock)s extended by %(hours)s hours (when it resumes). Reason: %(reason)s",
            hours,
        )
    return sentence % words


def _paused(data: Data) -> str:
    # Translators: %(clock)s names a deadline ("Seller's answer"); %(reason)s is
    # what Parley staff wrote, as they wrote it.
    return _("%(clock)s paused. Reason: %(reason)s") % {
        "clock": _label(data),
        "reason": data["reason"],
    }


def _resumed(data: Data) -> str:
    words = {"clock": _label(data), "when": moment(parsed(data["due_at"]))}
    if not data["reason"].strip():  # staff gave none (older rows kept the word "resumed")
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
        return _("%(clock)s running again, due %(when)s. Reason: resumed") % words
    # Translators: %(clock)s names a deadline ("Seller's answer"); %(reason)s is
    # what Parley staff wrote, as they wrote it.
    return _("%(clock)s running again, due %(when)s. Reason: %(reason)s") % (
        words | {"reason": data["reason"]}
    )


def _changed(data: Data) -> str:
    return _("a deadline changed")


EXTENDED = event_kind(
    "disputes.deadline.extended", _extended, tell=lambda d: _BOTH, headline=_changed
)
PAUSED = event_kind("disputes.deadline.paused", _paused, tell=lambda d: _BOTH, headline=_changed)
RESUMED = event_kind("disputes.deadline.resumed", _resumed, tell=lambda d: _BOTH, headline=_changed)


def _reminded(data: Data) -> str:
    words = {"clock": _label(data), "when": moment(parsed(data["due_at"]))}
    if Party(data["party"]) == Party.BUYER:
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
        return _("The buyer was reminded: %(clock)s is due %(when)s.") % words
    # Translators: %(clock)s names a deadline, e.g. "Seller's answer".
    return _("The seller was reminded: %(clock)s is due %(when)s.") % words


REMINDED = event_kind("disputes.deadline.reminded", _reminded)


def _advanced(data: Data) -> str:
    """A sandbox's test clock made a deadline fall due now. {"deadline": id, "kind", "due_at":
    when it was due (ISO), "by": buyer, seller, staff or marketplace}. Nobody is told: the act
    the clock runs next tells them, as in production."""
    words = {"clock": _label(data), "when": moment(parsed(data["due_at"]))}
    if data.get("by") == "marketplace":
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer". A sandbox is a
        # test deployment where time can be moved on per case.
        sentence = _(
            "Test clock: %(clock)s moved from %(when)s to now (sandbox, through the marketplace's "
            "API)."
        )
    else:
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer". A sandbox is a
        # test deployment where time can be moved on per case.
        sentence = _("Test clock: %(clock)s moved from %(when)s to now (sandbox).")
    return sentence % words


ADVANCED = event_kind("disputes.sandbox.advanced", _advanced)
