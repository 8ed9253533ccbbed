"""The marketplace integration's settings: its API, login links and webhooks.

A failed delivery (integration/webhooks/delivery.py) is tried again after these waits, about
three days in all, then given up; staff can replay it from the admin. A receiver's Retry-After
is honoured up to `max_retry_after_seconds`; a rotated secret keeps signing beside the new one
for `rotation_overlap_hours`."""

from pathlib import Path

import environ

env = environ.Env()
# settings.py imports this module before it reads .env: read it here too (values already in
# the environment win, as there), or a PARLEY_WEBHOOKS_* line in .env would go unheard.
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)

PARLEY_WEBHOOKS = {
    "timeout_seconds": env.float("PARLEY_WEBHOOKS_TIMEOUT", default=10.0),
    "batch_size": 50,
    "retry_after_seconds": [60, 300, 1800, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600],
    "max_retry_after_seconds": 24 * 3600,
    "drain_seconds": 30,
    "rotation_overlap_hours": 24,
}
# Deliver to private, loopback and link-local addresses (a local receiver in development).
PARLEY_WEBHOOKS_ALLOW_PRIVATE = env.bool("PARLEY_WEBHOOKS_ALLOW_PRIVATE", default=False)
# The beat entry: every minute, what the after-commit kick missed and what is due again.
WEBHOOKS_SWEEP = {
    "task": "integration.deliver_webhooks",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# The marketplace API: requests per key (django-ninja's syntax); a login link's minutes.
PARLEY_API_RATE = env("PARLEY_API_RATE", default="600/m")
PARLEY_LOGIN_LINK_MINUTES = env.int("PARLEY_LOGIN_LINK_MINUTES", default=5)
