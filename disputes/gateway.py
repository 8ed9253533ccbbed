"""Settlement of refunds with the payment provider, behind one small interface.

A real provider plugs in by setting PARLEY_REFUND_GATEWAY to a class with `settle(refund)`.
"""

import secrets
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Refund


@dataclass(frozen=True)
class Settlement:
    provider_reference: str


class RefundGateway(Protocol):
    def settle(self, refund: "Refund") -> Settlement:
        """Pay `refund` back to the original payment method. Must be idempotent per
        `refund.idempotency_key` (providers accept an idempotency key for this)."""


class RecordingGateway:
    """Records the refund as settled at once; for development and the demo."""

    def settle(self, refund: "Refund") -> Settlement:
        return Settlement(provider_reference="rf_" + secrets.token_hex(8))


@cache
def get_gateway() -> RefundGateway:
    return import_string(settings.PARLEY_REFUND_GATEWAY)()
