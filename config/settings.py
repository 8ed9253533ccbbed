"""Parley settings: everything that differs between machines comes from the environment.

With no environment set, `make run` gets a working demo: PostgreSQL and Redis on 127.0.0.1 (or
the pip-installed ones scripts/with_services.py starts). PostgreSQL is the only database.
"""

from pathlib import Path
from typing import Any

import environ

from .integration import (  # noqa: F401  (settings of their own module)
    PARLEY_API_RATE,
    PARLEY_LOGIN_LINK_MINUTES,
    PARLEY_WEBHOOKS,
    PARLEY_WEBHOOKS_ALLOW_PRIVATE,
    WEBHOOKS_SWEEP,
)
from .logs import structured_logging

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# A development key only works while DEBUG is on; production must set its own.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key" if DEBUG else None)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "django_htmx",
    "axes",
    "django_ratelimit",
    "health_check",
    "django_structlog",
    "ninja",  # serves the API docs' assets locally (nothing loads from outside the app)
    "core",
    "accounts",
    "policies",
    "orders",
    "disputes",
    "arbitration",
    "notifications",
    "timers",
    "pages",
    "integration",
    "demo",
    "casefile",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the cookie, else Accept-Language (Django's place for it: after the
    # session, before CommonMiddleware, which may need the language to resolve a URL).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in person's own language over the cookie's, and their time zone: right after
    # the user is known, before anything below renders a page (the 413 page, axes' lockout)
    # and before CSRF's check, whose refusal page is rendered in the view phase.
    "accounts.middleware.PersonalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    # Answers 413 from Content-Length before any body is read (nothing above reads it), after
    # the session and user are known so that the page has the portal's header, and logged.
    "core.middleware.RequestSizeLimitMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounts.context_processors.navigation",
                "core.context_processors.sandbox",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/parley"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "parley",
        # Give up quickly: the cache only saves work (core/cache.py computes without it).
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first (django-axes docs)
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_HOURS", default=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Failed logins count per (account, client address); the address is read behind the proxies
# we trust (PARLEY_TRUSTED_PROXIES, e.g. 1 behind one TLS proxy), never from what a client
# writes into X-Forwarded-For itself.
PARLEY_TRUSTED_PROXIES = env.int("PARLEY_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "core.http.client_address"
# Axes records the username it was given; a name longer than its column is cut, not a 500.
AXES_USERNAME_CALLABLE = "accounts.access.attempted_username"

# How often one person and one client address may act (core/ratelimit.py; POSTs only, counted
# in the cache). Rates as django-ratelimit writes them: "20/10m" is 20 per 10-minute window.
# Over a limit the request gets a 429 page naming `label` and when to try again. Logins are
# counted per address only: they complement axes' lockout per (account, address) above, which
# stops guessing one account; this stops one address trying many.
PARLEY_RATE_LIMITS: dict[str, dict[str, str]] = {
    "messages": {"label": "messages", "user": "30/10m", "address": "90/10m"},
    "disputes": {"label": "new disputes", "user": "10/h", "address": "30/h"},
    "offers": {"label": "changes to claims and answers", "user": "20/h", "address": "60/h"},
    "photos": {"label": "photo uploads", "user": "30/h", "address": "90/h"},
    "logins": {"label": "sign-in attempts", "address": "30/15m"},
}
# Django's own Redis cache counts atomically (INCR); django-ratelimit's list of supported
# backends predates it and warns. Its error for a cache that is not shared (locmem, dummy)
# stays on, so production cannot run with counters per process.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
# A counter the cache could not return lets the act through (the library's default refuses it).
RATELIMIT_FAIL_OPEN = True

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# Each person reads Parley in one of these (accounts.User.language); English is the source.
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("ru", "Русский"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a person picked in the header's switch (accounts.views.switch_language), also
# for visitors who are not signed in; a signed-in person's saved language comes first.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"

STORAGES = {
    # Evidence is private: no MEDIA_URL, files are served by a view that checks who asks.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
if env("S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("S3_BUCKET"),
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "region_name": env("S3_REGION", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": env("S3_ADDRESSING_STYLE", default="path"),
            # SigV4 presigned URLs: regions opened since 2014 refuse SigV2.
            "signature_version": "s3v4",
            "querystring_expire": 300,
        },
    }

# --- Security -------------------------------------------------------------------------------
SECURE_CSP = {
    # Nothing loads from outside the app.
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind TLS in production: redirect plain HTTP and tell browsers to stay on HTTPS.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"

# --- Mail (Django 6.1 MAILERS; SMTP when SMTP_HOST is set, else the console) ----------------
# MAIL_BACKEND may name another backend (a provider's, e.g. django-anymail's). Django 6.1's SMTP
# mailer takes its server from OPTIONS only: without a host it fails on the first send.
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_CONSOLE = "django.core.mail.backends.console.EmailBackend"
_mail_backend = env("MAIL_BACKEND", default=_SMTP if env("SMTP_HOST", default="") else _CONSOLE)
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": _mail_backend}}
if _mail_backend == _SMTP:
    # SMTP_TLS: starttls (the default, port 587), ssl (TLS from the first byte, port 465) or none.
    _smtp_tls = env("SMTP_TLS", default="starttls").lower()
    if _smtp_tls not in {"starttls", "ssl", "none"}:
        raise environ.ImproperlyConfigured(f"SMTP_TLS is starttls, ssl or none, not {_smtp_tls!r}.")
    MAILERS["default"]["OPTIONS"] = {
        "host": env("SMTP_HOST"),  # required: refuse to start without it
        "port": env.int("SMTP_PORT", default=None),
        "username": env("SMTP_USER", default=""),
        "password": env("SMTP_PASSWORD", default=""),
        "use_tls": _smtp_tls == "starttls",
        "use_ssl": _smtp_tls == "ssl",
        # A hung server must not hold a batch's outbox rows for ever.
        "timeout": env.int("SMTP_TIMEOUT", default=10),
    }
# The one address every link in an email starts with (no trailing slash). `make run` sets it
# from the port it serves on (WEB_PORT); set it to the public address in production.
PARLEY_SITE_URL = env("PARLEY_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Parley <no-reply@parley.test>")
# The outbox's email delivery (notifications/delivery.py): a failed send is tried again after
# these waits, then given up after `max_attempts` (staff see it in the admin and can retry).
PARLEY_EMAIL_DELIVERY = {
    "batch_size": 100,
    "retry_after_seconds": [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600],
    "max_attempts": 6,
    # A drain stops after this long with rows still due and queues its own continuation.
    "drain_seconds": 30,
}

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # safe because every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = 10
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing must not hang a web request while the broker is down: the outbox sweep catches up.
CELERY_TASK_PUBLISH_RETRY = False
# A publish against a dead broker gives up within half a second (kombu would otherwise retry
# the connection for ~6 s per request); the worker's own reconnection loop is separate
# (CELERY_BROKER_CONNECTION_RETRY*) and unaffected.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 5,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def _every(task: str, seconds: float, expires: int) -> dict[str, object]:
    return {"task": task, "schedule": seconds, "options": {"expires": expires}}


# `expires` drops copies queued while no worker ran, so a restart does not replay a backlog of
# identical sweeps.
CELERY_BEAT_SCHEDULE = {
    # One sweep a minute over indexed deadline rows.
    "enforce-deadlines": _every("timers.enforce_deadlines", 60.0, 55),
    "settle-refunds": _every("disputes.settle_pending_refunds", 300.0, 290),
    "sweep-outbox": _every("notifications.sweep_outbox", 60.0, 55),
    "deliver-webhooks": WEBHOOKS_SWEEP,  # webhook rows a kick missed, or due again (webhooks.py)
    # Evidence files left in storage by acts that rolled back (disputes.tasks).
    "sweep-orphan-evidence": _every("disputes.sweep_orphan_evidence", 24 * 60 * 60.0, 60 * 60),
}

# --- Domain ---------------------------------------------------------------------------------
# The defaults of the buyer-protection policy (../shared/policy.md). They seed the first
# Policy version; staff change policy by saving a new version, never by editing code.
PARLEY_POLICY_DEFAULTS = {
    "protection_days_after_receipt": 15,
    "dispute_earliest_days_after_shipping": 5,
    "instant_dispute_below_delivery_days": 5,
    "max_delivery_days": 90,
    "seller_answer_days": 5,
    "negotiation_days": 15,
    "return_ship_days": 10,
    "return_receipt_days": 10,
    "return_transit_days": 20,  # no delivery recorded: the return is deemed delivered then
    "replacement_ship_days": 10,
    "appeal_days": 7,
    "resolution_target_days": 15,
    "refund_arrival_business_days": 15,  # the provider's 7 to 15 business days, at the latest
}
PARLEY_CURRENCIES = ["USD", "EUR", "GBP"]
# The party who must act is reminded this many hours before their deadline.
PARLEY_REMINDER_HOURS = [48, 24]
# News that comes in bursts (a dispute's messages) is told once per person, subject and this
# many minutes: the email goes out when the window ends, with everything that came in it.
PARLEY_NOTIFICATION_BURST_MINUTES = env.int("PARLEY_NOTIFICATION_BURST_MINUTES", default=10)
# Evidence photo limits (not policy: they protect the service, not the parties).
PARLEY_EVIDENCE = {
    "max_bytes": env.int("EVIDENCE_MAX_MB", default=10) * 1024 * 1024,
    "max_pixels": 50_000_000,
    "max_per_submission": 10,
    # Across the whole case, both parties together (disputes.evidence.check_evidence_room).
    "max_per_dispute": 30,
    # Stored photos: longest side at most this many pixels, JPEG at this quality (lower when
    # that keeps the file within twice the upload: disputes/evidence.py).
    "max_dimension": 2560,
    "jpeg_quality": 85,
}
# A case page shows this many of the newest messages and timeline events, with links to earlier
# ones: it costs the same at ten messages and at ten thousand. API: cases per list page, most.
PARLEY_CASE_PAGE = {"messages": 30, "events": 30, "api_cases": 50, "api_cases_max": 100}
# A case file's PDF with at most this many photos is rendered in the request that asks for it;
# a bigger one by a Celery worker, offered when ready (casefile/exports.py).
PARLEY_CASE_FILE_INLINE_PHOTOS = env.int("PARLEY_CASE_FILE_INLINE_PHOTOS", default=8)
# Requests with a larger Content-Length get a 413 before their body is read
# (core.middleware.RequestSizeLimitMiddleware): a full submission of photos and 1 MB for the form.
# The proxy in front should refuse them first (README: nginx `client_max_body_size`).
PARLEY_MAX_REQUEST_BYTES = (
    PARLEY_EVIDENCE["max_per_submission"] * PARLEY_EVIDENCE["max_bytes"] + 1024 * 1024
)
# /health/ gives details (which check, which host) to staff and to monitors sending this token.
PARLEY_HEALTH_TOKEN = env("PARLEY_HEALTH_TOKEN", default="")
# A sandbox deployment (demos, staging, integrators' tests): each case's next deadline can be
# made to fall due now ("test clock", disputes/services/sandbox.py) to watch a whole case in
# minutes. Off unless set; `make run` sets it. Never on in production.
PARLEY_SANDBOX = env.bool("PARLEY_SANDBOX", default=False)
# Where acts write the notes they send (core names no app; see core/outbox.py).
PARLEY_OUTBOX = "notifications.services.notify_many"
# Who settles refunds with the payment provider; the default records them as settled.
PARLEY_REFUND_GATEWAY = env("REFUND_GATEWAY", default="disputes.gateway.RecordingGateway")

# --- Logging: structured, one JSON object per line in production -----------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="console" if DEBUG else "json")
LOGGING = structured_logging(LOG_LEVEL, LOG_FORMAT)
DJANGO_STRUCTLOG_CELERY_ENABLED = True
