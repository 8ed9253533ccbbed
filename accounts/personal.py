"""Speaking to one person: their language and their time zone.

In a request, accounts.middleware.PersonalMiddleware activates them (the saved choice, else
what the browser says); wherever Parley writes to someone outside their own request (emails,
exports, the timeline rendered for someone else), `speaking_to(user)` does.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from core.zones import is_zone

from .models import User


def is_language(code: str) -> bool:
    """One of the languages Parley is written in (settings.LANGUAGES)."""
    return code in dict(settings.LANGUAGES)


def chosen_language(user: User) -> str | None:
    """The language the person chose (or was given at first sign-in); None while blank."""
    return user.language if is_language(user.language) else None


def chosen_zone(user: User) -> str | None:
    """The zone the person chose (or their browser's at first sign-in); None while blank."""
    return user.time_zone if is_zone(user.time_zone) else None


def language_of(user: User) -> str:
    return chosen_language(user) or settings.LANGUAGE_CODE


def zone_of(user: User) -> ZoneInfo:
    return ZoneInfo(chosen_zone(user) or settings.TIME_ZONE)


@contextmanager
def speaking_to(user: User) -> Iterator[None]:
    """Words and moments inside the block come out in `user`'s language and zone."""
    with translation.override(language_of(user)), timezone.override(zone_of(user)):
        yield
