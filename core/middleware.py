"""Refuses a request whose declared body is larger than PARLEY_MAX_REQUEST_BYTES, before any of
the body is read.

Django's DATA_UPLOAD_MAX_MEMORY_SIZE bounds form fields, not files: a 300 MB upload was read in
full (to temporary files) before the photo form refused it. This answers 413 from the
Content-Length header alone, so nothing is parsed or written. A body sent without a
Content-Length (chunked) is never read by Django's WSGI request at all. The proxy in front should
refuse first (nginx `client_max_body_size`, see the README); this is the line behind it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = _content_length(request)
        limit: int = settings.PARLEY_MAX_REQUEST_BYTES
        if declared is not None and declared > limit:
            logger.info("request refused: %s bytes declared, limit %s", declared, limit)
            context = {"limit_mb": _megabytes(limit), "declared_mb": _megabytes(declared)}
            return render(request, "errors/413.html", context, status=413)
        return self.get_response(request)


def _content_length(request: HttpRequest) -> int | None:
    try:
        value = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None  # absent or not a number: Django then reads no body
    return value if value >= 0 else None


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.0f}" if size >= 10 * MEGABYTE else f"{size / MEGABYTE:.1f}"
