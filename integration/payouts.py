"""Money flows through the marketplace: a refund Parley decides on an order a marketplace sent
is paid by that marketplace with its own provider, which reports back (POST /refunds/{id}/
settlement). Marked here, as the ledger records it, so Parley's own gateway leaves it alone."""

from collections.abc import Sequence

from core.timeline import Entry, on_recorded
from disputes.models import Refund

from .models import ExternalRef, RefKind

REFUND_RECORDED = "disputes.order.refund_recorded"


def mark_refunds_settled_outside(entries: Sequence[Entry]) -> None:
    """Listener: the refunds just recorded on integration orders are the marketplace's to pay
    (one query when there are refunds, none otherwise)."""
    refunds = {e.data["refund"]: e.subject_id for e in entries if e.code == REFUND_RECORDED}
    if not refunds:
        return
    integrated = set(
        ExternalRef.objects.filter(
            kind=RefKind.ORDER, object_id__in=set(refunds.values())
        ).values_list("object_id", flat=True)
    )
    ids = [refund for refund, order in refunds.items() if order in integrated]
    if ids:
        Refund.objects.filter(pk__in=ids).update(settles_outside=True)


on_recorded(mark_refunds_settled_outside)
