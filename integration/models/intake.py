"""What makes the marketplace's calls safe to retry, and its users' one-time way in.

An `IdempotencyRecord` keeps the answer to a write sent with an `Idempotency-Key`, so the same
call again gets the same answer without acting twice. A `LoginLink` signs one of the
integration's users in once, within minutes (only its SHA-256 is kept)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from .keys import Integration


class IdempotencyRecord(models.Model):
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)  # SHA-256 of the path and the parsed body
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.integration}: {self.key}"


class LoginLink(models.Model):
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="login_links"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_links"
    )
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the token
    next_path = models.CharField(max_length=200)  # where the user lands once signed in
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"login link for {self.user} ({self.integration})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
