"""A marketplace plugged into Parley, and the API keys it calls with (shown once, stored
hashed, scoped, revocable)."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "pk_"  # what a key starts with, so a leaked one is recognisable


class Integration(models.Model):
    """One marketplace. Everything it sends in, and everything it may read, is its own."""

    name = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")


class ApiKey(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(max_length=120, blank=True)
    # The first characters, kept in clear to tell keys apart in lists and logs.
    prefix = models.CharField(max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the whole key
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.integration})"

    @staticmethod
    def digest_of(key: str) -> str:
        # A key is 32 random bytes: a plain SHA-256 is enough (no password stretching needed).
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, integration: Integration, *, scope: str, name: str = "") -> tuple["ApiKey", str]:
        """A new key; the clear key is returned once and never stored."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            integration=integration,
            name=name,
            prefix=key[:12],
            digest=cls.digest_of(key),
            scope=scope,
        )
        return row, key

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE
