"""The language a person writes in. What they type (a claim, a message, a ruling's reasons) is
kept as written, never translated, with this recorded beside it so a reader knows it."""

from django.conf import settings
from django.utils import translation


def active_language() -> str:
    """The language of the page the person is typing on now, as one of settings.LANGUAGES (the
    site's default where none of them matches: outside a request, or a language not offered)."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE
