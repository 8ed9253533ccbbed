from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, View, buyer_required, seller_required
from core.errors import ActionRefused, StaleState
from core.paging import page_of
from core.ratelimit import rate_limited
from orders import selectors as order_selectors

from . import ledger, presenters, selectors, services
from .case_rows import case_lists
from .forms import (
    MessageForm,
    ModifyClaimForm,
    OpenDisputeForm,
    RatingForm,
    RejectForm,
    ReturnShipmentForm,
)
from .models import Dispute, EvidenceItem, Party
from .rules import opening_window

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 20


def stale_page(request: AuthenticatedRequest, dispute: Dispute, exc: StaleState) -> HttpResponse:
    """Someone (or the clock) acted first: show the case as it is now, never a 500."""
    dispute.refresh_from_db()
    context = {"dispute": dispute, "reason": exc.message}
    return render(request, "disputes/stale.html", context, status=409)


def act_then_case(
    request: AuthenticatedRequest,
    dispute: Dispute,
    action: Callable[[], object],
    success: "StrOrPromise",
) -> HttpResponse:
    try:
        action()
    except StaleState as exc:
        return stale_page(request, dispute, exc)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("disputes:detail", dispute_ref=dispute.reference)


# --- Opening ------------------------------------------------------------------------------------


@buyer_required
@rate_limited("disputes", keep=("description",))
def open_dispute(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    order = order_selectors.buyer_order(request.user, reference)
    window = opening_window(order, timezone.now())
    refundable = ledger.refundable_amount(order)
    form = OpenDisputeForm(
        request.POST or None, request.FILES or None, order=order, refundable=refundable
    )
    if window.allowed and request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_open(
                order=order,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                proposal=form.proposal(),
                description=form.cleaned_data["description"],
                photos=form.cleaned_data["photos"],
                items=form.items(),
            )
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            words = _("Dispute %(reference)s opened. The seller is asked to answer.")
            messages.success(request, words % {"reference": dispute.reference})
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    context = {
        "order": order,
        "window": window,
        "form": form,
        "refundable": refundable,
    }
    return render(request, "disputes/open.html", context)


# --- Lists --------------------------------------------------------------------------------------


@buyer_required
def buyer_list(request: AuthenticatedRequest) -> HttpResponse:
    page = page_of(selectors.buyer_disputes(request.user), request.GET, per_page=PAGE_SIZE)
    return render(request, "disputes/list.html", {"page": page, "portal": "buyer"})


# --- The case page --------------------------------------------------------------------------------


def _detail_context(
    request: AuthenticatedRequest,
    dispute: Dispute,
    *,
    rating_form: RatingForm | None = None,
    message_form: MessageForm | None = None,
) -> dict[str, Any]:
    viewer = presenters.viewer_party(dispute, request.user)
    clocks = selectors.running_clocks(dispute)
    actions = selectors.dispute_actions(dispute, request.user, clocks=clocks)
    offers = selectors.case_offers(dispute)
    can_rate = viewer == Party.BUYER and not dispute.is_open and not hasattr(dispute, "rating")
    evidence = list(dispute.evidence.all())
    return {
        "dispute": dispute,
        "order": dispute.order,
        "viewer": viewer,
        "is_buyer": viewer == Party.BUYER,
        "now": timezone.now(),
        "step": presenters.next_step(dispute, viewer, clocks),
        "actions": actions,
        "moves": actions - {"message"},
        "buyer_offer": offers.buyer,
        "seller_offer": offers.seller,
        "offers": offers.history,
        "agreed_by_arbiter": getattr(dispute.agreed_offer, "party", "") == Party.ARBITER,
        "evidence": evidence,  # the gallery names the party, not the person
        **case_lists(dispute, request.GET, evidence, request.user.pk),
        "refunds": selectors.case_refunds(dispute),
        "sandbox_clock": presenters.sandbox_clock(clocks),
        "refund_summary": ledger.refund_status_label(dispute.order),
        "rulings": dispute.rulings.select_related("arbiter").prefetch_related("cited_evidence"),
        # The rating left after this dispute (one after an earlier dispute is that one's).
        "rating": getattr(dispute, "rating", None),
        "can_rate": can_rate,
        # Forms are built only where the page shows them (each copies its fields).
        "rating_form": rating_form or (RatingForm() if can_rate else None),
        "message_form": message_form
        or (MessageForm(dispute=dispute) if "message" in actions else None),
    }


@login_required
def detail(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.case_for_party(request.user, dispute_ref)
    return render(request, "disputes/detail.html", _detail_context(request, dispute))


def _thread_link(request: AuthenticatedRequest, dispute_ref: str) -> str:
    return reverse("disputes:detail", args=[dispute_ref]) + "#messages"


@login_required
@require_POST
@rate_limited("messages", keep=("body",), back=_thread_link)
def post_message(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = MessageForm(request.POST, request.FILES, dispute=dispute)
    if form.is_valid():
        return act_then_case(
            request,
            dispute,
            lambda: services.dispute_post_message(
                dispute=dispute,
                actor=request.user,
                body=form.cleaned_data["body"],
                photos=form.cleaned_data["photos"],
            ),
            _("Message sent."),
        )
    context = _detail_context(request, dispute, message_form=form)
    return render(request, "disputes/detail.html", context, status=400)


def _form_page(
    request: AuthenticatedRequest,
    dispute: Dispute,
    form: Form,
    *,
    title: str,
    submit: str,
    intro: str = "",
    facts: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    context = {"dispute": dispute, "form": form, "title": title, "submit": submit, "intro": intro}
    return render(request, "disputes/form_page.html", {**context, "facts": facts or []})


@buyer_required
@rate_limited("offers", keep=("note",))
def modify(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    current = selectors.current_offer(dispute, Party.BUYER)
    initial = {"remedy": current.remedy, "amount": current.amount} if current else {}
    form = ModifyClaimForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        dispute=dispute,
        refundable=ledger.refundable_amount(dispute.order),
    )
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            services.dispute_modify(
                dispute=dispute,
                actor=request.user,
                proposal=form.proposal(note),
                photos=form.cleaned_data["photos"],
                items=form.items(),
            )
        except StaleState as exc:
            return stale_page(request, dispute, exc)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Claim updated. The seller has a new answer deadline."))
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    return _form_page(
        request,
        dispute,
        form,
        title=_("Change your claim"),
        submit=_("Update claim"),
        intro=_("Changing the claim restarts the seller's time to answer."),
    )


@seller_required
@rate_limited("offers", keep=("explanation",))
def reject(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = RejectForm(request.POST or None, request.FILES or None, dispute=dispute)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_seller_reject(
                dispute=dispute,
                actor=request.user,
                explanation=form.cleaned_data["explanation"],
                counter=form.counter(),
                photos=form.cleaned_data["photos"],
            )
        except StaleState as exc:
            return stale_page(request, dispute, exc)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your answer was sent to the buyer."))
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    return _form_page(
        request,
        dispute,
        form,
        title=_("Reject the claim"),
        submit=_("Send answer"),
        intro=_(
            "Explain why, add evidence, and make a counter-offer if you can: most disputes end "
            "with one."
        ),
    )


@buyer_required
def ship_return(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = ReturnShipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_ship_return(dispute=dispute, actor=request.user, **form.cleaned_data)
        except StaleState as exc:
            return stale_page(request, dispute, exc)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Return recorded. The seller is asked to confirm it arrived.")
            )
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    facts = presenters.return_facts(dispute)
    title, submit = _("Ship the return"), _("Record return")
    return _form_page(request, dispute, form, title=title, submit=submit, facts=facts)


@buyer_required
@require_POST
def rate(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = RatingForm(request.POST)
    if form.is_valid():
        return act_then_case(
            request,
            dispute,
            lambda: services.rating_leave(dispute=dispute, buyer=request.user, **form.cleaned_data),
            _("Thank you: your rating is on the seller's record."),
        )
    context = _detail_context(request, dispute, rating_form=form)
    return render(request, "disputes/detail.html", context, status=400)


def _post_action(
    service: Callable[..., object], success: "StrOrPromise", *, role_gate: Callable[[View], View]
) -> View:
    """A view that only carries out `service` (built at import: `success` is lazily translated)."""

    @role_gate
    @require_POST
    def view(request: AuthenticatedRequest, dispute_ref: str, **kwargs: Any) -> HttpResponse:
        dispute = selectors.dispute_for_party(request.user, dispute_ref)
        return act_then_case(
            request,
            dispute,
            lambda: service(dispute=dispute, actor=request.user, **kwargs),
            success,
        )

    return view


escalate = _post_action(
    services.dispute_escalate_by_buyer,
    gettext_lazy("Your case is now with a Parley arbiter."),
    role_gate=buyer_required,
)
confirm_return = _post_action(
    services.dispute_confirm_return,
    gettext_lazy("Return confirmed; the refund is on its way to the buyer."),
    role_gate=seller_required,
)


# --- Evidence files -------------------------------------------------------------------------------


def _serve(item: EvidenceItem, field: str) -> FileResponse:
    response = FileResponse(getattr(item, field).open("rb"), content_type=item.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@cache_control(private=True, max_age=3600)
def evidence_file(request: AuthenticatedRequest, public_id: UUID) -> FileResponse:
    return _serve(selectors.evidence_for_viewer(request.user, public_id), "file")


@login_required
@cache_control(private=True, max_age=3600)
def evidence_thumbnail(request: AuthenticatedRequest, public_id: UUID) -> FileResponse:
    return _serve(selectors.evidence_for_viewer(request.user, public_id), "thumbnail")
