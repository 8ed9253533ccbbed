from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, arbiter_required
from core.confirm import Confirmation, is_confirmed, wants_back
from core.errors import ActionRefused, StaleState
from disputes import ledger, presenters
from disputes import services as dispute_services
from disputes.case_rows import case_lists
from disputes.deadlines import deadline_extend, deadline_pause, deadline_resume
from disputes.forms import ReturnDeliveryForm
from disputes.models import (
    RUNNING_STATUSES,
    Deadline,
    DeadlineKind,
    Dispute,
    DisputeState,
    EvidenceItem,
)
from disputes.sandbox_views import advance_then
from disputes.selectors import (
    case_offers,
    dispute_actions,
    running_clocks,
    running_deadline,
)

from . import confirmations, selectors, services
from .forms import (
    AppealDecisionForm,
    ClockChangeForm,
    EvidenceRequestForm,
    QueueFilterForm,
    ReassignForm,
    RulingForm,
)
from .metrics import metrics as staff_metrics
from .models import CLAUSE_FOR_REASON, RationaleTemplate


@arbiter_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """Escalated disputes, the ones closest to (or past) the resolution target first."""
    form = QueueFilterForm(request.GET or None, arbiters=selectors.arbiters())
    filters, cursor = form.query()
    rows, next_cursor = selectors.queue_page(filters, request.user, cursor)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "rows": selectors.queue_rows(rows, request.user),
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "now": timezone.now(),
        "counts": selectors.queue_counts(request.user),
    }
    return render(request, "arbitration/queue.html", context)


@arbiter_required
def metrics(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "arbitration/metrics.html", {"m": staff_metrics(timezone.now())})


@arbiter_required
@require_POST
def take_next(request: AuthenticatedRequest) -> HttpResponseRedirect:
    dispute = services.case_take_next(arbiter=request.user)
    if dispute is None:
        messages.info(request, selectors.nothing_to_take(request.user))
        return redirect("arbitration:queue")
    return redirect("arbitration:case", dispute_ref=dispute.reference)


def _new_ruling_form(dispute: Dispute, evidence: list[EvidenceItem]) -> RulingForm:
    """The decision form as it starts: the reason's saved rationale and its policy clause."""
    template = RationaleTemplate.objects.filter(reason=dispute.reason).first()
    form_class = AppealDecisionForm if dispute.state == "appealed" else RulingForm
    initial = {
        "rationale": template.text if template else "",
        "policy_clause": CLAUSE_FOR_REASON.get(dispute.reason, ""),
    }
    return form_class(initial=initial, evidence=evidence)


def _case_context(
    request: AuthenticatedRequest,
    dispute: Dispute,
    ruling_form: RulingForm | None = None,
    evidence_form: EvidenceRequestForm | None = None,
) -> dict[str, Any]:
    order = dispute.order
    evidence = list(dispute.evidence.all())  # shown by party, not by person
    ruling_form = ruling_form or _new_ruling_form(dispute, evidence)
    now = timezone.now()
    offers, clocks = case_offers(dispute), running_clocks(dispute)
    return {
        "dispute": dispute,
        "order": order,
        "now": now,
        "buyer_offer": offers.buyer,
        "seller_offer": offers.seller,
        "offers": offers.history,
        "evidence": evidence,
        **case_lists(dispute, request.GET, evidence, request.user.pk),
        "refundable": ledger.refundable_amount(order),
        "seller": selectors.seller_record(order.store_id, now),
        "buyer_history": selectors.buyer_history(order.buyer_id),
        "rulings": dispute.rulings.select_related("arbiter").prefetch_related("cited_evidence"),
        "arbiters": selectors.eligible_arbiters(dispute),
        "may_take": selectors.may_take(
            selectors.first_arbiters([dispute]).get(dispute.pk), request.user
        ),
        "ruling_form": ruling_form,
        "is_mine": dispute.assignee_id == request.user.pk,
        "in_queue": dispute.state in services.QUEUE_STATES,
        "evidence_form": evidence_form or EvidenceRequestForm(),
        "evidence_clock": running_deadline(dispute, DeadlineKind.EVIDENCE_REQUEST, clocks),
        "is_appeal": dispute.state == "appealed",
        "can_record_delivery": "record_return_delivery"
        in dispute_actions(dispute, request.user, now, clocks),
        "delivery_form": ReturnDeliveryForm(),
        "sandbox_clock": presenters.sandbox_clock(clocks),
    }


@arbiter_required
def case(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.case_for_arbiter(dispute_ref, counted=True)
    return render(request, "arbitration/case.html", _case_context(request, dispute))


def _case_act(
    request: AuthenticatedRequest, dispute: Dispute, action: Callable[[], object], success: str
) -> HttpResponseRedirect:
    try:
        action()
    except ActionRefused as exc:  # includes StaleState
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("arbitration:case", dispute_ref=dispute.reference)


@arbiter_required
@require_POST
def release(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponseRedirect:
    dispute = selectors.case_for_arbiter(dispute_ref)
    return _case_act(
        request,
        dispute,
        lambda: services.case_release(dispute=dispute, arbiter=request.user),
        _("Case released to the queue."),
    )


@arbiter_required
@require_POST
def reassign(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponseRedirect:
    dispute = selectors.case_for_arbiter(dispute_ref)
    form = ReassignForm(request.POST, arbiters=selectors.arbiters())
    if not form.is_valid():
        messages.error(request, _("Choose an arbiter."))
        return redirect("arbitration:case", dispute_ref=dispute.reference)
    to = form.cleaned_data["to"]
    return _case_act(
        request,
        dispute,
        lambda: services.case_reassign(dispute=dispute, lead=request.user, to=to),
        _("Case reassigned to %(name)s.") % {"name": to.display_name},
    )


def _confirm_step(
    request: AuthenticatedRequest, dispute: Dispute, confirmation: Confirmation
) -> HttpResponse:
    context = {"dispute": dispute, "confirmation": confirmation}
    return render(request, "arbitration/confirm.html", context)


def _asks_first(request: AuthenticatedRequest, dispute: Dispute, state: str) -> bool:
    """Whether to show the confirm step: not yet confirmed, by the arbiter who holds the case
    in `state`. Anyone else goes straight to the act, which refuses them with its reason."""
    holds = dispute.state == state and dispute.assignee_id == request.user.pk
    return holds and not is_confirmed(request.POST)


@arbiter_required
@require_POST
def rule(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.case_for_arbiter(dispute_ref)
    evidence = list(dispute.evidence.all())
    form = RulingForm(request.POST, evidence=evidence)
    back = wants_back(request.POST)
    if form.is_valid() and not back:
        decision = form.ruling()
        try:
            if _asks_first(request, dispute, DisputeState.ESCALATED):
                step = confirmations.ruling(dispute, decision, request.POST)
                return _confirm_step(request, dispute, step)
            services.case_rule(dispute=dispute, arbiter=request.user, decision=decision)
        except StaleState as exc:
            messages.error(request, exc.message)
            return redirect("arbitration:case", dispute_ref=dispute.reference)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Ruling recorded and carried out; both parties were told."))
            return redirect("arbitration:case", dispute_ref=dispute.reference)
    context = _case_context(request, dispute, ruling_form=form)
    return render(request, "arbitration/case.html", context, status=200 if back else 400)


@arbiter_required
@require_POST
def request_evidence(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """A refused or invalid request shows the case again with what was typed, errors at it."""
    dispute = selectors.case_for_arbiter(dispute_ref)
    form = EvidenceRequestForm(request.POST)
    if form.is_valid():
        try:
            services.case_request_evidence(
                dispute=dispute, arbiter=request.user, **form.cleaned_data
            )
        except StaleState as exc:
            messages.error(request, exc.message)
            return redirect("arbitration:case", dispute_ref=dispute.reference)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Request sent; its due time is on the case's clocks."))
            return redirect("arbitration:case", dispute_ref=dispute.reference)
    context = _case_context(request, dispute, evidence_form=form)
    return render(request, "arbitration/case.html", context, status=400)


@arbiter_required
@require_POST
def decide_appeal(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.case_for_arbiter(dispute_ref)
    form = AppealDecisionForm(request.POST, evidence=list(dispute.evidence.all()))
    back = wants_back(request.POST)
    if form.is_valid() and not back:
        decision, uphold = form.ruling(), form.cleaned_data["decision"] == "uphold"
        try:
            if _asks_first(request, dispute, DisputeState.APPEALED):
                step = confirmations.appeal_decision(dispute, uphold, decision, request.POST)
                return _confirm_step(request, dispute, step)
            services.case_decide_appeal(
                dispute=dispute, arbiter=request.user, uphold=uphold, decision=decision
            )
        except StaleState as exc:
            messages.error(request, exc.message)
            return redirect("arbitration:case", dispute_ref=dispute.reference)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Appeal decided. The decision is final; both parties were told.")
            )
            return redirect("arbitration:case", dispute_ref=dispute.reference)
    context = _case_context(request, dispute, ruling_form=form)
    return render(request, "arbitration/case.html", context, status=200 if back else 400)


def _clock_change(request: AuthenticatedRequest, form: ClockChangeForm) -> Callable[[], Deadline]:
    data = form.cleaned_data
    deadline, actor, reason = data["deadline"], request.user, data["reason"]
    return {
        "extend": lambda: deadline_extend(
            deadline=deadline, actor=actor, hours=data["hours"], reason=reason
        ),
        "pause": lambda: deadline_pause(deadline=deadline, actor=actor, reason=reason),
        "resume": lambda: deadline_resume(deadline=deadline, actor=actor, reason=reason),
    }[data["action"]]


@arbiter_required
def case_clocks(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """Staff extend or pause a dispute's clocks, with a reason both parties see."""
    dispute = get_object_or_404(Dispute.objects.select_related("order"), reference=dispute_ref)
    clocks = dispute.deadlines.filter(status__in=RUNNING_STATUSES).order_by("due_at")
    form = ClockChangeForm(request.POST or None, clocks=clocks)
    if request.method == "POST" and form.is_valid():
        try:
            _clock_change(request, form)()
        except ActionRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done. Both parties were told, with your reason."))
            return redirect("arbitration:case_clocks", dispute_ref=dispute.reference)
    # What was typed goes back into the clock's form it came from (the inputs are per clock).
    typed = {k: form.data.get(k, "") for k in ("deadline", "action", "hours", "reason")}
    context = {"dispute": dispute, "clocks": clocks, "form": form, "typed": typed}
    status = 400 if form.is_bound else 200
    return render(request, "arbitration/clocks.html", context, status=status)


@arbiter_required
@require_POST
def record_return_delivery(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """Staff enter the returned parcel's delivery (from the carrier's tracking): the seller's
    days to confirm the return run from it."""
    dispute = selectors.case_for_arbiter(dispute_ref)
    form = ReturnDeliveryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the delivery as a date and time, e.g. 2026-12-05 10:15."))
        return redirect("arbitration:case", dispute_ref=dispute.reference)
    return _case_act(
        request,
        dispute,
        lambda: dispute_services.dispute_record_return_delivery(
            dispute=dispute, actor=request.user, delivered_at=form.cleaned_data["delivered_at"]
        ),
        _("Delivery recorded. Both parties were told; the seller's days to confirm run from it."),
    )


@arbiter_required
@require_POST
def test_clock(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """A sandbox's test clock, from the case page (disputes.sandbox_views)."""
    dispute = selectors.case_for_arbiter(dispute_ref)
    return advance_then(request, dispute, reverse("arbitration:case", args=[dispute.reference]))
