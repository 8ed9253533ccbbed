"""Settlement of refunds with the payment provider, behind one small interface.

A real provider plugs in by setting PARLEY_REFUND_GATEWAY to a class with
`settle(refund, idempotency_key=…)`.
"""

import hashlib
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


class RefundDeclined(Exception):
    """The provider refused the refund for good (the card is closed, the account is gone):
    trying again with the same key cannot succeed. Any other exception is taken as passing
    (a timeout, an outage) and the refund stays pending for the retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RefundGateway(Protocol):
    def settle(self, refund: "Refund", *, idempotency_key: str) -> Settlement:
        """Pay `refund` back to the original payment method. Called again with the same
        `idempotency_key` (after a crash, say), the provider pays once and answers as before:
        every provider Parley would use accepts such a key. Raises RefundDeclined when the
        money cannot be paid back to that method."""


class RecordingGateway:
    """Records the refund as settled at once; for development and the demo. Idempotent like
    a provider: the same key always gets the same reference."""

    def settle(self, refund: "Refund", *, idempotency_key: str) -> Settlement:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
        return Settlement(provider_reference=f"rf_{digest[:16]}")


@cache
def get_gateway() -> RefundGateway:
    return import_string(settings.PARLEY_REFUND_GATEWAY)()
