"""A write sent again with the same `Idempotency-Key` gets the first answer, without acting
again; the same key with another request is refused.

The record is written in the act's own transaction: two calls racing with one key both act,
but only one commits; the other's unique-key violation undoes its act and it answers with the
first one's record."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from core.errors import ActionRefused

from ..models import IdempotencyRecord, Integration

Answer = tuple[int, dict[str, Any]]  # status and JSON body


class KeyReused(ActionRefused):
    """The key was first sent with another request."""


@dataclass(frozen=True)
class Replayable:
    status: int
    body: dict[str, Any]
    replayed: bool


def request_hash(path: str, body: Any) -> str:
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored(integration: Integration, key: str, digest: str) -> Replayable | None:
    row = IdempotencyRecord.objects.filter(integration=integration, key=key).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise KeyReused("This Idempotency-Key was already used with another request.")
    return Replayable(row.status, row.body, replayed=True)


def once(integration: Integration, key: str, digest: str, act: Callable[[], Answer]) -> Replayable:
    """Run `act` once per key: its answer is kept with the key and given back on a retry."""
    if (stored := _stored(integration, key, digest)) is not None:
        return stored
    try:
        with transaction.atomic():
            status, body = act()
            IdempotencyRecord.objects.create(
                integration=integration, key=key, request_hash=digest, status=status, body=body
            )
    except IntegrityError:
        if (stored := _stored(integration, key, digest)) is not None:
            return stored
        raise
    return Replayable(status, body, replayed=False)
