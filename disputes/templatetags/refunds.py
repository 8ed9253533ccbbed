"""`{{ refunds|refund_lines }}`: where each refund's money is, in words (presenters.refund_line),
for the pages that list refunds (a dispute's, an order's) without a view having to."""

from django import template
from django.db.models import QuerySet

from ..models import Refund
from ..presenters import RefundLine
from ..presenters import refund_lines as lines_of

register = template.Library()


@register.filter
def refund_lines(refunds: QuerySet[Refund] | list[Refund]) -> list[RefundLine]:
    """A list is taken as loaded (with `order__policy`, oldest first); a query is read so."""
    if isinstance(refunds, list):
        return lines_of(refunds)
    return lines_of(refunds.select_related("order__policy").order_by("created_at", "id"))
