"""Errors as problem+json (RFC 9457) with a stable `code`; validation errors name the field."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.throttling import BaseThrottle

from core.errors import ActionRefused, SandboxOnly

PROBLEM_TYPE = "application/problem+json"


class Problem(Exception):
    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def problem_response(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    body = {"type": f"about:blank#{code}", "title": code.replace("_", " "), "status": status}
    body |= {"code": code, "detail": detail, **extra}
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM_TYPE
    return response


def _field(loc: tuple[Any, ...]) -> str:
    """Where in the request, as the caller wrote it: `lines.0.quantity`, not ninja's
    `body.payload.lines.0.quantity` (a body's own name is not part of what was sent)."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts)


def _fields(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field(tuple(error.get("loc", ()))), "message": error["msg"]} for error in errors
    ]


def install(api: NinjaAPI) -> None:
    """Every error the API can answer with, in one shape."""

    @api.exception_handler(Problem)
    def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        return problem_response(api, request, exc.status, exc.code, exc.detail, **exc.extra)

    @api.exception_handler(ActionRefused)
    def _refused(request: HttpRequest, exc: ActionRefused) -> HttpResponse:
        return problem_response(api, request, 409, "action_refused", exc.message)

    @api.exception_handler(SandboxOnly)
    def _sandbox_only(request: HttpRequest, exc: SandboxOnly) -> HttpResponse:
        return problem_response(api, request, 403, "sandbox_only", exc.message)

    @api.exception_handler(ValidationError)
    def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = _fields(list(exc.errors))
        return problem_response(
            api, request, 422, "validation_failed", "The request is not valid.", errors=errors
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        answer = problem_response(
            api, request, 401, "unauthenticated", "A valid API key is needed."
        )
        answer["WWW-Authenticate"] = 'Bearer realm="parley"'  # RFC 6750: how to authenticate
        return answer

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(api, request, 404, "not_found", "There is no such object here.")

    @api.exception_handler(HttpError)
    def _http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {404: "not_found", 429: "rate_limited"}.get(exc.status_code, "http_error")
        return problem_response(api, request, exc.status_code, code, str(exc))


__all__ = ["BaseThrottle", "Problem", "install", "problem_response"]
