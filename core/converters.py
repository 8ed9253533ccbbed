"""Path converters: a reference in a URL is letters, digits and dashes, or the URL is a 404.

Without it a `%00` in `/disputes/<ref>/` reached PostgreSQL, which refuses NUL in text: a 500.
"""

from django.urls import register_converter


class ReferenceConverter:
    regex = "[A-Za-z0-9-]{1,40}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(ReferenceConverter, "ref")
