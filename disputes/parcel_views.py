"""The pages of the parcels a dispute sends: the seller ships a replacement and the buyer
confirms it arrived; the seller says when a returned parcel was delivered."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import AuthenticatedRequest, buyer_required, seller_required
from core.errors import ActionRefused, StaleState
from core.moments import moment

from . import selectors, services
from .forms import ReplacementShipmentForm
from .models import DeadlineKind, Dispute
from .views import _form_page, _post_action, stale_page


def _ship_intro(dispute: Dispute) -> str:
    clock = selectors.running_deadline(dispute, DeadlineKind.REPLACEMENT_SHIPMENT)
    if clock is None or clock.due_at is None:
        return _("Enter the carrier and tracking number of the replacement you sent.")
    words = _(
        "Ship it by %(moment)s; if it is not shipped by then, the buyer is refunded instead and "
        "a late shipment is refused."
    )
    return words % {"moment": moment(clock.due_at)}


@seller_required
def ship_replacement(request: AuthenticatedRequest, dispute_ref: str) -> HttpResponse:
    dispute = selectors.dispute_for_party(request.user, dispute_ref)
    form = ReplacementShipmentForm(
        request.POST or None,
        initial={"delivery_days": dispute.order.delivery_days},
        max_delivery_days=dispute.policy.max_delivery_days,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dispute_ship_replacement(
                dispute=dispute, actor=request.user, **form.cleaned_data
            )
        except StaleState as exc:
            return stale_page(request, dispute, exc)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Replacement shipped. The buyer is asked to confirm it."))
            return redirect("disputes:detail", dispute_ref=dispute.reference)
    title, submit, intro = _("Ship the replacement"), _("Record shipment"), _ship_intro(dispute)
    return _form_page(request, dispute, form, title=title, submit=submit, intro=intro)


confirm_replacement = _post_action(
    services.dispute_confirm_replacement,
    gettext_lazy("Thank you: the dispute is resolved by the replacement."),
    role_gate=buyer_required,
)
record_return_delivery = _post_action(
    services.dispute_record_return_delivery,
    gettext_lazy("Delivery recorded: confirm the returned item within the days shown."),
    role_gate=seller_required,
)
