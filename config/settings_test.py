"""Test settings: PostgreSQL and Redis from the environment (see scripts/with_services.py)."""

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parley")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
# Playwright's sync API runs an event loop in the test thread; ORM calls there would raise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from .settings import *  # noqa: F403
from .settings import LOGGING, SILENCED_SYSTEM_CHECKS, STATIC_ROOT, STORAGES, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media", "base_url": None},
    },
    # The manifest storage raises for {% static %} before collectstatic; tests don't collect.
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
# Not a sandbox, whatever the shell exports: tests that need the test clock turn it on.
PARLEY_SANDBOX = False
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# WhiteNoise warns about a missing STATIC_ROOT on every request otherwise.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}
# Tasks queued by tests go to their own Redis database, never into a dev worker's queue.
_redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
# PARLEY_TEST_REDIS_DB lets two checkouts run their suites side by side on one Redis.
_redis_db = os.environ.get("PARLEY_TEST_REDIS_DB", "15")
CELERY_BROKER_URL = urlunsplit(_redis._replace(path=f"/{_redis_db}"))

# Each test starts with an empty cache (tests/conftest.py clears it); Redis stays the broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# django-ratelimit refuses a cache that is not shared between processes; tests run in one.
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "django_ratelimit.E003"]
