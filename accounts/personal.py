"""Speaking to one person: their language and their time zone, wherever Parley writes to them
outside their own request (emails, exports, the timeline rendered for someone else)."""

from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from core.zones import is_zone

from .models import User


def language_of(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def zone_of(user: User) -> ZoneInfo:
    return ZoneInfo(user.time_zone if is_zone(user.time_zone) else settings.TIME_ZONE)


@contextmanager
def speaking_to(user: User) -> Iterator[None]:
    """Words and moments inside the block come out in `user`'s language and zone."""
    with translation.override(language_of(user)), timezone.override(zone_of(user)):
        yield
