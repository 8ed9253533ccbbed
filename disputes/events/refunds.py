"""What happens to a refund's money after it is recorded: the provider pays it (settled), or
refuses it for good, and staff pay it again."""

from decimal import Decimal

from core.money import Money
from core.timeline import Data, event_kind

from ..models import Party


def _money(data: Data) -> Money:
    return Money(Decimal(data["amount"]), data["currency"])


def _failed(data: Data) -> str:
    return (
        f"The payment provider could not pay the refund of {_money(data)} back to the original "
        f"payment method ({data['reason']}); it no longer counts as refunded"
    )


def _failed_told(data: Data) -> str:
    return (
        f"{_failed(data)}. Parley's support team will pay it again and tell you when it is on "
        "its way; you do not need to do anything."
    )


def _settled(data: Data) -> str:
    return f"The refund of {_money(data)} was paid back to the original payment method"


def _reissued(data: Data) -> str:
    return f"Parley support paid the failed refund of {_money(data)} again"


def _buyer(data: Data) -> tuple[str]:
    return (Party.BUYER,)


REFUND_FAILED = event_kind(
    "disputes.refund.failed",
    _failed,
    tell=_buyer,
    headline=lambda data: "a refund failed",
    told=_failed_told,
)
REFUND_SETTLED = event_kind(
    "disputes.refund.settled",
    _settled,
    tell=_buyer,
    headline=lambda data: "your refund is paid",
    told=lambda data: f"{_settled(data)}. Banks take a few days to show it.",
)
REFUND_REISSUED = event_kind(
    "disputes.refund.reissued",
    _reissued,
    tell=_buyer,
    headline=lambda data: "a refund is paid again",
    told=lambda data: f"{_reissued(data)}; it is on its way to your original payment method.",
)
