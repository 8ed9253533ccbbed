"""The pages the orders app serves alone. The order pages themselves show the order's disputes
too, so they are composed a floor up, in pages/views.py."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import AuthenticatedRequest, buyer_required, seller_required
from core.errors import ActionRefused
from core.paging import page_of

from . import selectors, services
from .forms import DeliveryForm, NewOrderForm, OrderLineFormSet, ReturnTermsForm
from .models import PaymentMethod

PAGE_SIZE = 20


# --- Buyer portal -----------------------------------------------------------------------------


@buyer_required
def buyer_orders(request: AuthenticatedRequest) -> HttpResponse:
    page = page_of(selectors.buyer_orders(request.user), request.GET, per_page=PAGE_SIZE)
    return render(request, "orders/buyer_orders.html", {"page": page})


@buyer_required
@require_POST
def buyer_confirm_receipt(request: AuthenticatedRequest, reference: str) -> HttpResponseRedirect:
    order = selectors.buyer_order(request.user, reference)
    try:
        services.order_confirm_receipt(order=order, actor=request.user)
    except ActionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Thank you: receipt confirmed. Your protection period starts now.")
        )
    return redirect("orders:buyer_order_detail", reference=reference)


@buyer_required
def buyer_new_order(request: AuthenticatedRequest) -> HttpResponse:
    """Orders normally arrive from the marketplace; this records one by hand (and its payment)."""
    form = NewOrderForm(request.POST or None)
    lines = OrderLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        line_inputs = [
            services.LineInput(**line.cleaned_data) for line in lines if line.cleaned_data
        ]
        try:
            order = services.order_place(
                buyer=request.user,
                store=form.cleaned_data["store"],
                lines=line_inputs,
                currency=form.cleaned_data["currency"],
            )
            services.order_pay(order=order, amount=order.total, method=PaymentMethod.CARD)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            placed = _("Order %(reference)s placed and paid.") % {"reference": order.reference}
            messages.success(request, placed)
            return redirect("orders:buyer_order_detail", reference=order.reference)
    return render(request, "orders/buyer_new_order.html", {"form": form, "lines": lines})


# --- Seller portal ---------------------------------------------------------------------------


@seller_required
def seller_ship(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    order = selectors.seller_order(request.user, reference)
    initial = {"delivery_days": order.delivery_days} if order.delivery_days else {}
    form = DeliveryForm(
        request.POST or None, initial=initial, max_delivery_days=order.policy.max_delivery_days
    )
    if request.method == "POST" and form.is_valid():
        try:
            parcel = services.parcel_add(order=order, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            recorded = _("Parcel %(tracking)s recorded.") % {"tracking": parcel.tracking_number}
            messages.success(request, recorded)
            return redirect("orders:seller_order_detail", reference=reference)
    return render(request, "orders/seller_ship.html", {"order": order, "form": form})


@seller_required
def seller_store(request: AuthenticatedRequest) -> HttpResponse:
    """The store's settings: its return address and who pays return postage."""
    store = selectors.store_of(request.user)
    initial = {
        "return_address": store.return_address,
        "return_postage_payer": store.return_postage_payer,
    }
    form = ReturnTermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_set_return_terms(store=store, actor=request.user, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Return terms saved. Buyers sending items back see them."))
            return redirect("orders:seller_store")
    return render(request, "orders/seller_store.html", {"store": store, "form": form})
