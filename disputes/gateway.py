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


class RefundGateway(Protocol):
    def settle(self, refund: "Refund", *, idempotency_key: str) -> Settlement:
        """Pay `refund` back to the original payment method. Called again with the same
        `idempotency_key` (after a crash, say), the provider pays once and answers as before:
        every provider Parley would use accepts such a key."""


class RecordingGateway:
    """Records the refund as settled at once; for development and the demo. Idempotent like
    a provider: the same key always gets the same reference."""

    def settle(self, refund: "Refund", *, idempotency_key: str) -> Settlement:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
        return Settlement(provider_reference=f"rf_{digest[:16]}")


@cache
def get_gateway() -> RefundGateway:
    return import_string(settings.PARLEY_REFUND_GATEWAY)()
