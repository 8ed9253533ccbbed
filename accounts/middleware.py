"""Every request in its reader's language and time zone.

Language, first that holds: the signed-in person's saved choice (User.language); the language
cookie (set by the header's switch); the browser's Accept-Language; settings.LANGUAGE_CODE.
Django's LocaleMiddleware, placed before this one, has already applied the last three; this
one overrides them with the person's choice, which it can only read once
AuthenticationMiddleware has run.

Time zone, first that holds: the person's saved zone (User.time_zone); the zone the browser
reported in the ZONE_COOKIE (static/js/zone.js writes it; without JavaScript there is none);
settings.TIME_ZONE (UTC). A cookie is the client's to write: a name that is not a zone Python
knows is ignored, as is a saved one that has since left the zone database.
"""

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone, translation

from core.zones import is_zone

from .models import User
from .personal import chosen_language, chosen_zone

# The name static/js/zone.js writes the browser's zone under (keep the two the same).
ZONE_COOKIE = "parley_tz"


class PersonalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        person = _person(request)
        language = chosen_language(person) if person else None
        if language:
            # Stays active through LocaleMiddleware's response phase: Content-Language follows.
            translation.activate(language)
            request.LANGUAGE_CODE = language
        with timezone.override(ZoneInfo(zone_for(request, person))):
            return self.get_response(request)


def _person(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def browser_zone(request: HttpRequest) -> str | None:
    """The zone the browser reported, if it names one."""
    reported = request.COOKIES.get(ZONE_COOKIE, "")
    return reported if is_zone(reported) else None


def zone_for(request: HttpRequest, person: User | None) -> str:
    """The zone this request's moments are written in (the order above)."""
    return (person and chosen_zone(person)) or browser_zone(request) or settings.TIME_ZONE
