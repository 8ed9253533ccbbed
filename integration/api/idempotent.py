"""Writes through `Idempotency-Key`: the endpoint hands its act here; the same key and body
again get the stored answer (with `Idempotent-Replayed: true`), another body a 409."""

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from ninja import Header, Schema

from ..services.idempotency import Answer, KeyReused, once, request_hash
from .auth import writer
from .problems import Problem

IDEMPOTENCY_KEY = Header(
    None,
    max_length=255,
    description="Any unique string (a UUID): the same call again with it is answered as the "
    "first one was, without acting twice.",
)


def idempotent(
    request: HttpRequest, key: str | None, payload: Schema | None, act: Callable[[], Answer]
) -> JsonResponse:
    """Run a write: once per Idempotency-Key when one is sent."""
    api_key = writer(request)
    if not key:
        status, body = act()
        return JsonResponse(body, status=status)
    sent = None if payload is None else payload.model_dump(mode="json")
    try:
        answer = once(api_key.integration, key, request_hash(request.path, sent), act)
    except KeyReused as refused:
        raise Problem(409, "idempotency_key_reused", refused.message) from refused
    response = JsonResponse(answer.body, status=answer.status)
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
