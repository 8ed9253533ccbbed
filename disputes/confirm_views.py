"""The acts that cannot be undone, each behind its confirm step (core.confirm): the URL shows
the step on GET (or on a POST without `confirmed`), and only the step's POST carries it out."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import AuthenticatedRequest, buyer_required, seller_required
from core.confirm import Confirmation, is_confirmed
from core.errors import StaleState

from . import confirmations, selectors, services
from .forms import AcceptClaimForm
from .models import Dispute, Party
from .views import act_then_case, stale_page


def _confirm_step(
    request: AuthenticatedRequest, dispute: Dispute, act: str, confirmation: Confirmation
) -> HttpResponse:
    """The confirm step of `act`, while the viewer may still do it; else back to the case."""
    if act not in selectors.dispute_actions(dispute, request.user):
        messages.error(request, _("That is no longer possible: here is the case as it is now."))
        return redirect("disputes:detail", dispute_ref=dispute.reference)
    context = {"dispute": dispute, "confirmation": confirmation}
    return render(request, "disputes/confirm.html", context)


@seller_required
def seller_accept(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """The seller accepts the claim they were shown, once they confirmed what it does."""
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    posted = request.method == "POST"
    form = AcceptClaimForm(request.POST if posted else request.GET)
    claim = selectors.current_offer(dispute, Party.BUYER)
    if posted and is_confirmed(request.POST):
        if not form.is_valid():
            messages.error(request, _("Choose the claim to accept: reload the case and try again."))
            return redirect("disputes:detail", dispute_ref=dispute.reference)
        offer_id = form.cleaned_data["offer"]
        return act_then_case(
            request,
            dispute,
            lambda: services.dispute_seller_accept(
                dispute=dispute, actor=request.user, offer_id=offer_id
            ),
            _("You accepted the claim."),
        )
    if claim is None or (form.is_valid() and form.cleaned_data["offer"] != claim.pk):
        stale = StaleState(_("The buyer changed the claim: read the new one before you accept."))
        return stale_page(request, dispute, stale)
    confirmation = confirmations.seller_accepts(dispute, claim)
    return _confirm_step(request, dispute, "seller_accept", confirmation)


@buyer_required
def accept_offer(request: AuthenticatedRequest, dispute_ref: str, offer_id: int) -> HttpResponse:
    """The buyer accepts the seller's offer on the table, once they confirmed what it does."""
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    if request.method == "POST" and is_confirmed(request.POST):
        return act_then_case(
            request,
            dispute,
            lambda: services.dispute_accept_offer(
                dispute=dispute, actor=request.user, offer_id=offer_id
            ),
            _("You accepted the seller's offer."),
        )
    offer = selectors.current_offer(dispute, Party.SELLER)
    if offer is None or offer.pk != offer_id:
        return stale_page(request, dispute, StaleState(_("That offer is no longer on the table.")))
    claim = selectors.current_offer(dispute, Party.BUYER)
    confirmation = confirmations.buyer_accepts(dispute, offer, claim)
    return _confirm_step(request, dispute, "buyer_accept_offer", confirmation)


@buyer_required
def cancel(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    """The buyer withdraws the dispute, once they confirmed what it does."""
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    if request.method == "POST" and is_confirmed(request.POST):
        return act_then_case(
            request,
            dispute,
            lambda: services.dispute_cancel(dispute=dispute, actor=request.user),
            _("You withdrew the dispute."),
        )
    claim = selectors.current_offer(dispute, Party.BUYER)
    return _confirm_step(request, dispute, "buyer_cancel", confirmations.withdraws(dispute, claim))
