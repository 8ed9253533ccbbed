"""Pages that show several apps at once. Each app keeps its own pages and rules; these only
put what the apps say side by side, which is why they sit above all of them."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import AuthenticatedRequest, buyer_required, seller_required
from arbitration import standing
from core.paging import page_of
from disputes import ledger
from disputes import selectors as dispute_selectors
from disputes.rules import opening_window
from orders import selectors as order_selectors
from orders import services as order_services
from orders.models import Order

from .forms import BehindFigureForm

PAGE_SIZE = 20
WORK_SHOWN = 5  # the dashboard's soonest cases waiting for the seller (all: the list)

# --- The order page, with its disputes ------------------------------------------------------------


def _order_page(request: AuthenticatedRequest, order: Order) -> dict[str, object]:
    # The disputes app owns these rules; the order page only shows what they say.
    now = timezone.now()
    disputes = dispute_selectors.disputes_of_order(order)  # first: the window reads them too
    return {
        "order": order,
        "now": now,
        "actions": order_services.order_actions(order, request.user),
        "disputes": disputes,
        "dispute_window": opening_window(order, now),
        "refund_summary": ledger.refund_status_label(order),
    }


@buyer_required
def buyer_order_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    order = order_selectors.buyer_order(request.user, reference)
    return render(request, "orders/buyer_order_detail.html", _order_page(request, order))


@seller_required
def seller_order_detail(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    order = order_selectors.seller_order(request.user, reference)
    return render(request, "orders/seller_order_detail.html", _order_page(request, order))


# --- The seller's dashboard and the disputes behind its figures -----------------------------------


@seller_required
def seller_dashboard(request: AuthenticatedRequest) -> HttpResponse:
    now = timezone.now()
    store_id = request.user.store.pk
    to_ship = order_selectors.seller_orders_to_ship(request.user)
    shipped = order_selectors.seller_orders_shipped(request.user)
    work = dispute_selectors.seller_disputes(request.user).filter(
        state__in=list(dispute_selectors.SELLER_MOVES)
    )
    context = {
        "now": now,
        "work_counts": dispute_selectors.seller_work_counts(request.user),
        "work_soonest": work[:WORK_SHOWN],
        "to_ship": page_of(to_ship, request.GET, per_page=PAGE_SIZE, param="ship_page"),
        "shipped": page_of(shipped, request.GET, per_page=PAGE_SIZE, param="shipped_page"),
        "standing": standing.standings(store_id, now, (30, 90)),
        "chart": _bar_chart(standing.weekly_disputes(store_id, now)),
    }
    return render(request, "orders/seller_dashboard.html", context)


@seller_required
def seller_disputes(request: AuthenticatedRequest) -> HttpResponse:
    """The seller's disputes; with `?behind=<figure>&days=<n>`, those one figure counts."""
    disputes = dispute_selectors.seller_disputes(request.user)
    behind, days = BehindFigureForm(request.GET).figure()
    if behind:
        counted = standing.disputes_behind(request.user.store.pk, behind, timezone.now(), days)
        disputes = disputes.filter(pk__in=counted.values("pk"))
    page = page_of(disputes, request.GET, per_page=PAGE_SIZE)
    context = {"page": page, "portal": "seller", "behind": behind, "now": timezone.now()}
    return render(request, "disputes/list.html", context)


def _bar_chart(weeks: list[tuple[datetime, int]]) -> dict[str, object]:
    """Geometry for a small server-rendered SVG bar chart (no JavaScript, no library)."""
    peak = max((n for _, n in weeks), default=0) or 1
    width, height, gap = 24, 80, 6
    bars = [
        {
            "x": i * (width + gap),
            "height": round(height * n / peak),
            "y": height - round(height * n / peak),
            "n": n,
            "week": week,
        }
        for i, (week, n) in enumerate(weeks)
    ]
    return {"bars": bars, "width": len(weeks) * (width + gap), "height": height, "bar": width}
