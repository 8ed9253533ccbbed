"""The API's body parser: JSON as ninja reads it, refusing text with NUL characters (PostgreSQL
cannot store them) as a bad request before any schema or service sees it (ninja answers any
parser error as a 400 "Cannot parse request body")."""

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.parser import Parser


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class JsonWithoutNul(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        body = super().parse_body(request)
        if _has_nul(body):
            raise HttpError(400, "Text in the request cannot contain NUL characters.")
        return body
