"""Limits on how often one person, and one client address, may do an act (django-ratelimit).

Only POSTs count: reading a page is never limited. Each act names a group of
`settings.PARLEY_RATE_LIMITS` (for example "messages": so many per user and so many per address in
a window); a POST over either answers 429 with a page that says what was limited, when it can be
tried again, and gives back the text that was typed. The view does not run, so nothing is stored
and no photo is decoded. A POST carrying files also counts against the "photos" group.

The client address is `core.http.client_address` (behind the trusted proxies only), with IPv6
addresses counted per /64 as one client can hold a whole one. The counters live in the cache
(Redis): when it does not answer, acts go through unlimited rather than fail (core/cache.py
pauses asking it for a while, so a dead Redis costs no request more than one timeout).
"""

import ipaddress
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from . import cache as core_cache
from .http import client_address

logger = logging.getLogger(__name__)

type View = Callable[..., HttpResponseBase]
type BackLink = Callable[..., str]

PHOTOS = "photos"
IPV6_PREFIX = 64

# What the 429 page says per group, whole sentences (for their translation): its heading, and
# what was sent too often, by one account or from one connection. A group without words here is
# named by its label in settings.PARLEY_RATE_LIMITS.
WORDS = {
    "messages": (
        gettext_lazy("Too many messages for now"),
        gettext_lazy("Your account has sent as many messages as we accept in a short time."),
        gettext_lazy("Your connection has sent as many messages as we accept in a short time."),
    ),
    "disputes": (
        gettext_lazy("Too many new disputes for now"),
        gettext_lazy("Your account has opened as many disputes as we accept in a short time."),
        gettext_lazy("Your connection has opened as many disputes as we accept in a short time."),
    ),
    "offers": (
        gettext_lazy("Too many changes to claims and answers for now"),
        gettext_lazy(
            "Your account has sent as many changes to claims and answers as we accept in a "
            "short time."
        ),
        gettext_lazy(
            "Your connection has sent as many changes to claims and answers as we accept in a "
            "short time."
        ),
    ),
    "photos": (
        gettext_lazy("Too many photo uploads for now"),
        gettext_lazy("Your account has uploaded as many photos as we accept in a short time."),
        gettext_lazy("Your connection has uploaded as many photos as we accept in a short time."),
    ),
    "logins": (
        gettext_lazy("Too many sign-in attempts for now"),
        gettext_lazy("Your account has tried to sign in as often as we accept in a short time."),
        gettext_lazy("Your connection has tried to sign in as often as we accept in a short time."),
    ),
}


@dataclass(frozen=True)
class Limited:
    """What a refused request ran into: the group, whose counter (person or address), and
    when that counter's window ends."""

    group: str
    scope: str
    retry_at: datetime

    @property
    def label(self) -> str:
        return str(settings.PARLEY_RATE_LIMITS[self.group]["label"])

    @property
    def title(self) -> str:
        """What was limited, as the 429 page's heading says it."""
        if self.group in WORDS:
            return str(WORDS[self.group][0])
        return _("Too many %(what)s for now") % {"what": self.label}

    @property
    def reached(self) -> str:
        """Whose allowance was used up, and of what, in a sentence."""
        if self.group in WORDS:
            return str(WORDS[self.group][1 if self.scope == "user" else 2])
        if self.scope == "user":
            return _("Your account has reached its limit for this in a short time.")
        return _("Your connection has reached its limit for this in a short time.")

    @property
    def retry_seconds(self) -> int:
        return max(1, math.ceil((self.retry_at - timezone.now()).total_seconds()))


def address_key(group: str, request: HttpRequest) -> str:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return str(ip)


def user_key(group: str, request: HttpRequest) -> str:
    return str(request.user.pk)


def _usage(request: HttpRequest, group: str, scope: str, rate: str) -> dict[str, Any] | None:
    key = user_key if scope == "user" else address_key
    try:
        return get_usage(
            request,
            group=f"parley.{group}.{scope}",
            key=key,
            rate=rate,
            method="POST",
            increment=True,
        )
    except Exception:  # redis-py raises its own connection and timeout errors
        core_cache.pause("rate limits not counted")
        return None


def limit_reached(request: HttpRequest, groups: Iterable[str]) -> Limited | None:
    """Count this POST against each group's per-address, then per-user limit; the first limit it
    goes over, or None. Counting stops there: a request refused for its address does not use up
    the person's own allowance (others behind the same address are not held against them)."""
    if request.method != "POST" or not core_cache.available():
        return None
    for group in groups:
        rates = settings.PARLEY_RATE_LIMITS[group]
        for scope in ("address", "user"):
            rate = rates.get(scope)
            if not rate or (scope == "user" and not request.user.is_authenticated):
                continue
            usage = _usage(request, group, scope, rate)
            if usage and usage["should_limit"]:
                retry_at = timezone.now() + timedelta(seconds=max(usage["time_left"], 1))
                return Limited(group=group, scope=scope, retry_at=retry_at)
    return None


def refused(
    request: HttpRequest, limited: Limited, *, back: str, kept: dict[str, str]
) -> HttpResponse:
    """The friendly 429: what was limited, when to try again, the text typed, a way back."""
    logger.info(
        "rate limit reached: %s per %s, retry in %ss",
        limited.group,
        limited.scope,
        limited.retry_seconds,
    )
    context = {
        "limited": limited,
        "minutes": math.ceil(limited.retry_seconds / 60),
        "back": back,
        "kept": kept,
        "had_files": bool(request.FILES),
    }
    response = render(request, "errors/429.html", context, status=429)
    response["Retry-After"] = str(limited.retry_seconds)
    return response


def rate_limited(
    group: str, *, keep: tuple[str, ...] = (), back: BackLink | None = None
) -> Callable[[View], View]:
    """Limit a view's POSTs by `group` (and by "photos" when files come with it).

    `keep`: form fields whose typed text the 429 page gives back. `back(request, **kwargs)`:
    where the page links to (default: the page the form was on, this same URL)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            groups = [group, PHOTOS] if request.method == "POST" and request.FILES else [group]
            limited = limit_reached(request, groups)
            if limited is None:
                return view(request, *args, **kwargs)
            link = back(request, **kwargs) if back else request.get_full_path()
            kept = {name: request.POST.get(name, "") for name in keep}
            return refused(request, limited, back=link, kept={k: v for k, v in kept.items() if v})

        return wrapped

    return decorator
