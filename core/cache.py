"""The cache as an optimisation only: when Redis is down or hangs, pages compute what they need
instead of failing, and stop asking the cache for a while instead of waiting on every request."""

import logging
import time
from collections.abc import Callable

from django.core.cache import cache

logger = logging.getLogger(__name__)

# After a failure, skip the cache this long: each try costs up to its socket timeout.
PAUSE_SECONDS = 30.0
_paused_until = 0.0


def cached_or_computed(key: str, compute: Callable[[], str], seconds: int) -> str:
    """The cached value of `key`, or `compute()` (stored for `seconds` when the cache answers)."""
    if not available():
        return compute()
    try:
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, seconds)
    except Exception:  # redis-py raises its own connection and timeout errors
        pause("computing without it")
        return compute()
    return str(value)


def available() -> bool:
    """False for a while after the cache failed to answer (see `pause`)."""
    return time.monotonic() >= _paused_until


def pause(consequence: str) -> None:
    """The cache failed to answer: stop asking it for PAUSE_SECONDS, and say what that costs."""
    global _paused_until
    _paused_until = time.monotonic() + PAUSE_SECONDS
    logger.warning("cache unavailable; %s for %ss", consequence, PAUSE_SECONDS)


def resume() -> None:
    """Forget a past failure (tests, or an operator who knows Redis is back)."""
    global _paused_until
    _paused_until = 0.0
