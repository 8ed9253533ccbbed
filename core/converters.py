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


class NumberConverter:
    """A whole number that fits a database integer (at most 9 digits), or the URL is a 404:
    Django's `int` takes any length, and PostgreSQL refuses what overflows its column."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    register_converter(ReferenceConverter, "ref")
    register_converter(NumberConverter, "num")
