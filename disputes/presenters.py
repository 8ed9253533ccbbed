"""Plain-words descriptions of a dispute for the person looking at it: whose move it is, by
when, and what happens if nobody acts (each clock's own words: .clocks). Views pass these to
templates, which only display them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import User
from core.moments import business_days_after, day, duration, moment

from .clocks import clock_of
from .clocks.catalogue import PAUSED
from .clocks.returns import return_delivered
from .models import (
    ARBITRATION_STATES,
    Deadline,
    DeadlineStatus,
    Dispute,
    DisputeState,
    Party,
    Refund,
    RefundStatus,
)
from .selectors import running_clocks
from .services.sandbox import Advance

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class ShownClock:
    """A running clock as a party sees it: the deadline, and what happens at zero."""

    deadline: Deadline
    consequence: str


@dataclass(frozen=True)
class NextStep:
    headline: str
    detail: str
    your_move: bool
    clocks: list[ShownClock] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)  # each paused clock, its reason, time left
    expected: str = ""  # while an arbiter decides: by when a decision is expected
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs


def paused_clocks(dispute: Dispute, clocks: Sequence[Deadline] | None = None) -> list[str]:
    """Each paused clock in words: why staff paused it and how much time it had left
    ("Seller's answer: paused while the arbiter decides; 3 days, 4 hours were left").
    `clocks`: the case's `running_clocks`, when read already."""
    running = running_clocks(dispute) if clocks is None else clocks
    paused = sorted(
        (clock for clock in running if clock.status == DeadlineStatus.PAUSED),
        key=lambda clock: clock.pk,
    )
    if not paused:
        return []
    reasons: dict[int, str] = {}
    for data in (
        dispute.events.filter(code=PAUSED.code)
        .order_by("created_at", "id")
        .values_list("data", flat=True)
    ):
        reasons[data.get("deadline")] = data.get("reason", "")
    return [_paused_words(deadline, reasons.get(deadline.pk, "")) for deadline in paused]


def _paused_words(deadline: Deadline, reason: str) -> str:
    why = reason.strip().rstrip(".")
    data = {"clock": deadline.get_kind_display(), "reason": why}
    if deadline.remaining is None:
        if why:
            return _("%(clock)s: paused (%(reason)s); no time was left when it paused.") % data
        return _("%(clock)s: paused; no time was left when it paused.") % data
    data["left"] = duration(deadline.remaining)
    if why:
        return _("%(clock)s: paused (%(reason)s); %(left)s were left when it paused.") % data
    return _("%(clock)s: paused; %(left)s were left when it paused.") % data


def decision_expected(dispute: Dispute) -> str:
    """While an arbiter decides: the resolution target (filing + the policy's days)."""
    if dispute.state not in ARBITRATION_STATES:
        return ""
    target = {"moment": moment(dispute.target_at)}
    if dispute.target_at >= timezone.now():
        return _("A decision is expected by %(moment)s.") % target
    words = _("A decision was expected by %(moment)s; the arbiter decides as soon as possible.")
    return words % target


def _shown(dispute: Dispute, deadline: Deadline, viewer: str) -> ShownClock:
    assert deadline.due_at is not None  # pending deadlines have their due time
    return ShownClock(deadline, clock_of(deadline.kind).reads(dispute, deadline.due_at, viewer))


# Built at import: the words are lazy, put in the viewer's language when shown.
_HEADLINES: dict[tuple[str, str], tuple["StrPromise", "StrPromise", bool]] = {
    (DisputeState.AWAITING_SELLER, Party.BUYER): (
        gettext_lazy("Waiting for the seller's answer"),
        gettext_lazy("The seller can accept your claim, or reject it with a counter-offer."),
        False,
    ),
    (DisputeState.AWAITING_SELLER, Party.SELLER): (
        gettext_lazy("Your answer is needed"),
        gettext_lazy(
            "Accept the buyer's claim, or reject it with your reasons and, ideally, a "
            "counter-offer."
        ),
        True,
    ),
    (DisputeState.AWAITING_BUYER, Party.BUYER): (
        gettext_lazy("The seller rejected your claim: your move"),
        gettext_lazy(
            "Accept the seller's offer, change your claim, ask Parley to decide, or withdraw."
        ),
        True,
    ),
    (DisputeState.AWAITING_BUYER, Party.SELLER): (
        gettext_lazy("Waiting for the buyer to respond"),
        gettext_lazy("The buyer can accept your offer, change the claim, or ask Parley to decide."),
        False,
    ),
    (DisputeState.ESCALATED, Party.BUYER): (
        gettext_lazy("A Parley arbiter is reviewing the case"),
        gettext_lazy(
            "The arbiter decides from the evidence of both sides and explains the decision."
        ),
        False,
    ),
    (DisputeState.ESCALATED, Party.SELLER): (
        gettext_lazy("A Parley arbiter is reviewing the case"),
        gettext_lazy(
            "The arbiter decides from the evidence of both sides and explains the decision."
        ),
        False,
    ),
    (DisputeState.APPEALED, Party.BUYER): (
        gettext_lazy("The ruling was appealed"),
        gettext_lazy(
            "A different Parley arbiter reviews the case; that decision is final. A ruling is "
            "appealed only once, so there is no second appeal."
        ),
        False,
    ),
    (DisputeState.APPEALED, Party.SELLER): (
        gettext_lazy("The ruling was appealed"),
        gettext_lazy(
            "A different Parley arbiter reviews the case; that decision is final. A ruling is "
            "appealed only once, so there is no second appeal."
        ),
        False,
    ),
    (DisputeState.AWAITING_RETURN, Party.BUYER): (
        gettext_lazy("Send the item back"),
        gettext_lazy("Ship the item to the seller and enter the carrier and tracking number here."),
        True,
    ),
    (DisputeState.AWAITING_RETURN, Party.SELLER): (
        gettext_lazy("Waiting for the buyer to ship the return"),
        gettext_lazy("You will see the tracking number here once it is shipped."),
        False,
    ),
    (DisputeState.RETURN_IN_TRANSIT, Party.BUYER): (
        gettext_lazy("Your return is on its way"),
        gettext_lazy("The refund is paid when the seller confirms the item arrived."),
        False,
    ),
    (DisputeState.RETURN_IN_TRANSIT, Party.SELLER): (
        gettext_lazy("Confirm when the returned item arrives"),
        gettext_lazy(
            "Say when the parcel was delivered: your days to confirm run from then. The refund is "
            "paid to the buyer as soon as you confirm the item arrived."
        ),
        True,
    ),
    (DisputeState.AWAITING_REPLACEMENT, Party.BUYER): (
        gettext_lazy("Waiting for the seller to ship the replacement"),
        gettext_lazy("You will see the carrier and tracking number here once it is shipped."),
        False,
    ),
    (DisputeState.AWAITING_REPLACEMENT, Party.SELLER): (
        gettext_lazy("Ship the replacement"),
        gettext_lazy(
            "Send the replacement and enter the carrier, tracking number and delivery time limit."
        ),
        True,
    ),
    (DisputeState.REPLACEMENT_IN_TRANSIT, Party.BUYER): (
        gettext_lazy("Your replacement is on its way"),
        gettext_lazy(
            "Confirm here when it arrives. If it is not right, you can open a new dispute about it."
        ),
        True,
    ),
    (DisputeState.REPLACEMENT_IN_TRANSIT, Party.SELLER): (
        gettext_lazy("The replacement is on its way to the buyer"),
        gettext_lazy(
            "The dispute closes when the buyer confirms receipt, or at the delivery time limit."
        ),
        False,
    ),
}


def next_step(dispute: Dispute, viewer: str, running: Sequence[Deadline] | None = None) -> NextStep:
    """`running`: the case's `running_clocks`, when the page has read them already."""
    running = running_clocks(dispute) if running is None else running
    pending = [d for d in running if d.status == DeadlineStatus.PENDING]  # soonest first
    clocks = [_shown(dispute, d, viewer) for d in pending]
    facts = parcel_facts(dispute)
    paused = paused_clocks(dispute, running)
    if dispute.state == DisputeState.RESOLVED:
        detail = str(dispute.get_outcome_display())
        if dispute.appeal_open:
            detail = _("%(outcome)s. Either side may appeal the ruling once.") % {"outcome": detail}
        resolved = pgettext("next step, dispute state", "Resolved")
        return NextStep(resolved, detail, False, clocks, paused, facts=facts)
    if dispute.state == DisputeState.CANCELLED:
        withdrawn = pgettext("next step, dispute state", "Withdrawn")
        return NextStep(withdrawn, _("The buyer withdrew this dispute."), False, clocks)
    headline, words, your_move = _HEADLINES[(dispute.state, viewer)]
    expected = decision_expected(dispute)
    return NextStep(str(headline), str(words), your_move, clocks, paused, expected, facts)


# --- Parcels a dispute sends: the return and the replacement --------------------------------


def return_facts(dispute: Dispute) -> list[tuple[str, str]]:
    """Where the buyer sends the item back and who pays the postage (the store's terms)."""
    store = dispute.order.store
    address = store.return_address or _(
        "The seller has not given a return address yet: ask for it in the messages."
    )
    postage = str(store.get_return_postage_payer_display())
    return [(_("Send it to"), address), (_("Postage"), postage)]


# A parcel on its way: "5 Dec 2026, 10:13 UTC with DHL, tracking JD0123".
_SHIPPED = gettext_lazy("%(moment)s with %(carrier)s, tracking %(tracking)s")


def _return_on_its_way(dispute: Dispute) -> list[tuple[str, str]]:
    assert dispute.return_shipped_at is not None  # on its way since the buyer shipped it
    sent = _SHIPPED % {
        "moment": moment(dispute.return_shipped_at),
        "carrier": dispute.get_return_carrier_display(),
        "tracking": dispute.return_tracking_number,
    }
    if dispute.return_delivered_at is not None:
        delivered = moment(dispute.return_delivered_at)
    else:
        deemed = {"moment": moment(return_delivered(dispute))}
        delivered = _("Not recorded yet (taken as delivered on %(moment)s if it never is)") % deemed
    return [(_("Return shipped"), sent), (_("Return delivered"), delivered)]


def _replacement(dispute: Dispute) -> list[tuple[str, str]]:
    facts = []
    if dispute.replacement_shipped_at is not None:
        sent = _SHIPPED % {
            "moment": moment(dispute.replacement_shipped_at),
            "carrier": dispute.get_replacement_carrier_display(),
            "tracking": dispute.replacement_tracking_number,
        }
        facts.append((_("Replacement shipped"), sent))
    if dispute.replacement_received_at is not None:
        facts.append((_("Replacement received"), moment(dispute.replacement_received_at)))
        ends = dispute.order.protection_ends_at
        if ends is not None:
            until = pgettext("fact: A new dispute about it", "can be opened until %(moment)s")
            until %= {"moment": moment(ends)}
            facts.append((_("A new dispute about it"), until))
    return facts


def parcel_facts(dispute: Dispute) -> list[tuple[str, str]]:
    """What both parties see of the parcels the dispute sends, in its current state."""
    if dispute.state == DisputeState.AWAITING_RETURN:
        return return_facts(dispute)
    if dispute.state == DisputeState.RETURN_IN_TRANSIT:
        return _return_on_its_way(dispute)
    return _replacement(dispute)


def viewer_party(dispute: Dispute, user: User) -> str:
    return Party.BUYER if user.pk == dispute.order.buyer_id else Party.SELLER


# --- Refunds, as the buyer will see the money ------------------------------------------------


@dataclass(frozen=True)
class RefundLine:
    """A refund and where its money is: being paid (with the latest day it is expected, from
    the order's policy), paid, or failed (and what happens next)."""

    refund: Refund
    status: str  # a RefundStatus value
    words: str


def _failed_words(refund: Refund) -> str:
    data = {"reason": refund.failure_reason}
    if refund.reissued_as_id is not None:
        words = _(
            "Failed: the payment provider could not pay it back (%(reason)s). Parley support "
            "paid it again (below)."
        )
        return words % data
    words = _(
        "Failed: the payment provider could not pay it back (%(reason)s). It does not count as "
        "refunded; Parley support will pay it again and the buyer is told when it is on its way."
    )
    return words % data


def refund_line(refund: Refund) -> RefundLine:
    if refund.status == RefundStatus.SETTLED and refund.settled_at is not None:
        paid = _("Paid on %(day)s.") % {"day": day(refund.settled_at)}
        return RefundLine(refund, refund.status, paid)
    if refund.status == RefundStatus.FAILED:
        return RefundLine(refund, refund.status, _failed_words(refund))
    days = refund.order.policy.refund_arrival_business_days
    expected = business_days_after(refund.created_at, days)
    words = _("Being paid to the original payment method: expected by %(day)s.")
    return RefundLine(refund, RefundStatus.PENDING, words % {"day": day(expected)})


def refund_lines(refunds: Iterable[Refund]) -> list[RefundLine]:
    """Each refund's line, oldest first (pass refunds loaded with `order__policy`)."""
    return [refund_line(refund) for refund in refunds]


# --- A sandbox's test clock ---------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxClock:
    """The test-clock panel of a case page in a sandbox: the clock that would fall due next
    (None when no clock is pending)."""

    next: Deadline | None


def sandbox_clock(clocks: Sequence[Deadline]) -> SandboxClock | None:
    """The panel, only in a sandbox deployment. `clocks`: the case's `running_clocks`."""
    if not settings.PARLEY_SANDBOX:
        return None
    pending = [clock for clock in clocks if clock.status == DeadlineStatus.PENDING]
    return SandboxClock(min(pending, key=lambda clock: (clock.due_at, clock.pk), default=None))


def advance_words(steps: Sequence[Advance]) -> str:
    """What the test clock did, for the message shown after it: each clock it moved, then what
    that clock did (its own words: `Clock.ended`)."""
    if not steps:
        return _("No clock is running on this case: there is nothing to advance.")
    sentences: list[str] = []
    for step in steps:
        # Translators: %(clock)s names a deadline, e.g. "Seller's answer"; %(moment)s when it
        # was due before the sandbox's test clock moved it.
        words = (
            _("Test clock: %(clock)s, due %(moment)s, was moved to now, as if that time had come.")
            if step.moved
            else _("Test clock: %(clock)s was already due on %(moment)s.")
        )
        values = {"clock": clock_of(step.kind).label, "moment": moment(step.was_due_at)}
        sentences.append(words % values)
        sentences.extend(step.happened or [_("It no longer applied, so nothing happened.")])
    return " ".join(sentences)
