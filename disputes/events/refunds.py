"""What happens to a refund's money after it is recorded: the provider pays it (settled), or
refuses it for good, and staff pay it again."""

from django.utils.translation import gettext as _

from core.timeline import Data, event_kind

from ..models import Party
from ._words import amount_of


def _failed(data: Data) -> str:
    return _(
        # Translators: %(reason)s is the payment provider's own words, as it gave them.
        "The payment provider could not pay the refund of %(amount)s back to the original "
        "payment method (%(reason)s); it no longer counts as refunded"
    ) % {"amount": amount_of(data), "reason": data["reason"]}


def _failed_told(data: Data) -> str:
    then = _(
        "Parley's support team will pay it again and tell you when it is on its way; you do "
        "not need to do anything."
    )
    return f"{_failed(data)}. {then}"


def _settled(data: Data) -> str:
    return _("The refund of %(amount)s was paid back to the original payment method") % {
        "amount": amount_of(data)
    }


def _settled_told(data: Data) -> str:
    then = _("Banks take a few days to show it.")
    return f"{_settled(data)}. {then}"


def _reissued(data: Data) -> str:
    return _("Parley support paid the failed refund of %(amount)s again") % {
        "amount": amount_of(data)
    }


def _reissued_told(data: Data) -> str:
    return _(
        "Parley support paid the failed refund of %(amount)s again; it is on its way to your "
        "original payment method."
    ) % {"amount": amount_of(data)}


def _buyer(data: Data) -> tuple[str]:
    return (Party.BUYER,)


REFUND_FAILED = event_kind(
    "disputes.refund.failed",
    _failed,
    tell=_buyer,
    headline=lambda data: _("a refund failed"),
    told=_failed_told,
)
REFUND_SETTLED = event_kind(
    "disputes.refund.settled",
    _settled,
    tell=_buyer,
    headline=lambda data: _("your refund is paid"),
    told=_settled_told,
)
REFUND_REISSUED = event_kind(
    "disputes.refund.reissued",
    _reissued,
    tell=_buyer,
    headline=lambda data: _("a refund is paid again"),
    told=_reissued_told,
)
