"""The marketplace pays the refunds Parley decides with its own provider and reports back:
settled (with the provider's reference) or failed (with the reason), each once."""

from disputes import settlement
from disputes.models import Refund

from ..models import Integration, RefKind
from .refs import NotFound, owned_ids


def _owned_refund(integration: Integration, refund_id: int) -> Refund:
    refund = Refund.objects.filter(
        pk=refund_id, order_id__in=owned_ids(integration, RefKind.ORDER)
    ).first()
    if refund is None:
        raise NotFound(f"No refund with the id {refund_id}.")
    return refund


def refund_report(
    integration: Integration, refund_id: int, *, settled: bool, provider_reference: str, reason: str
) -> Refund:
    refund = _owned_refund(integration, refund_id)
    if settled:
        return settlement.refund_report_settled(
            refund_id=refund.pk, provider_reference=provider_reference
        )
    return settlement.refund_report_failed(refund_id=refund.pk, reason=reason)
