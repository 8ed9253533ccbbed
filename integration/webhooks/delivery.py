"""Delivering webhook rows: claim a batch of due deliveries, post each signed over one HTTP
client, record each outcome; again, until nothing is due or the time budget is spent (the
shape of notifications/delivery.py).

A batch is one transaction: its rows are locked (`FOR UPDATE OF` the delivery only, `SKIP
LOCKED`), posted one by one, and their outcomes written in one statement before the commit.
A case's events go in order: a row waits while an earlier one of its case for the same
endpoint is neither delivered nor given up (so a concurrent drain, which cannot see a locked
row's outcome, leaves the next one alone). Send, then mark: a worker killed mid-batch sends
that batch again; receivers de-duplicate by webhook-id (and order by `sequence`)."""

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from core.bulk import update_rows

from ..models import WebhookDelivery, WebhookEndpoint
from ..models.webhooks import PENDING
from .guard import Refused, resolve

logger = logging.getLogger(__name__)

RECORDED = [
    "attempts",
    "next_attempt_at",
    "delivered_at",
    "last_status",
    "last_error",
    "gave_up_at",
]
GONE = 410


@dataclass(frozen=True)
class DeliveryPolicy:
    batch_size: int
    retry_after: tuple[timedelta, ...]  # the wait after the 1st, 2nd, … failed attempt
    max_attempts: int
    timeout: float
    max_retry_after: timedelta  # the longest wait a receiver's Retry-After may ask for
    budget: timedelta

    @classmethod
    def from_settings(cls) -> "DeliveryPolicy":
        conf: dict[str, Any] = settings.PARLEY_WEBHOOKS
        return cls(
            batch_size=conf["batch_size"],
            retry_after=tuple(timedelta(seconds=s) for s in conf["retry_after_seconds"]),
            max_attempts=len(conf["retry_after_seconds"]) + 1,
            timeout=conf["timeout_seconds"],
            max_retry_after=timedelta(seconds=conf["max_retry_after_seconds"]),
            budget=timedelta(seconds=conf["drain_seconds"]),
        )

    def wait_after(self, attempts: int) -> timedelta:
        return self.retry_after[min(attempts, len(self.retry_after)) - 1]


@dataclass
class DrainReport:
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    disabled: int = 0
    more: bool = False


@dataclass(frozen=True)
class Outcome:
    status: int | None = None
    error: str = ""
    retry_after: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def due(now: datetime) -> QuerySet[WebhookDelivery]:
    earlier = WebhookDelivery.objects.filter(
        PENDING,
        endpoint_id=OuterRef("endpoint_id"),
        scope=OuterRef("scope"),
        sequence__lt=OuterRef("sequence"),
    )
    return WebhookDelivery.objects.filter(
        PENDING, next_attempt_at__lte=now, endpoint__disabled_at__isnull=True
    ).exclude(Exists(earlier))


def deliver_due(policy: DeliveryPolicy | None = None) -> DrainReport:
    """Deliver every due row, batch after batch (a delivered row may free its case's next)."""
    policy = policy or DeliveryPolicy.from_settings()
    stop_at = time.monotonic() + policy.budget.total_seconds()
    report = DrainReport()
    with httpx.Client(timeout=policy.timeout, follow_redirects=False) as client:
        while _deliver_batch(client, policy, report):
            if time.monotonic() >= stop_at:
                report.more = True
                break
    return report


@transaction.atomic
def _deliver_batch(client: httpx.Client, policy: DeliveryPolicy, report: DrainReport) -> int:
    batch = list(
        due(timezone.now())
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("endpoint")
        .order_by("next_attempt_at", "id")[: policy.batch_size]
    )
    gone: set[int] = set()
    for delivery in batch:
        if delivery.endpoint_id in gone:
            continue  # disabled by a 410 earlier in this batch: the row waits, untried
        outcome = post(client, delivery, timezone.now())
        if outcome.status == GONE:
            gone.add(delivery.endpoint_id)
        _record(delivery, outcome, policy, report)
    update_rows(batch, RECORDED)
    if gone:
        _disable(gone, report)
    return len(batch)


def post(client: httpx.Client, delivery: WebhookDelivery, now: datetime) -> Outcome:
    """Post one delivery, signed; its outcome (never raises for the receiver's faults)."""
    try:
        destination = resolve(delivery.endpoint.url)
    except Refused as exc:
        return Outcome(error=f"refused: {exc}")
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"))
    headers = sign(delivery.endpoint, delivery.event_id, now, body)
    headers |= {"Content-Type": "application/json", "Host": destination.host_header}
    headers["User-Agent"] = "Parley-Webhooks/1"
    try:
        response = client.post(
            destination.url,
            content=body.encode(),
            headers=headers,
            extensions={"sni_hostname": destination.server_name},
        )
    except httpx.HTTPError as exc:
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:1000])
    error = "" if response.is_success else response.text[:500]
    return Outcome(response.status_code, error, retry_after(response, now))


def sign(endpoint: WebhookEndpoint, event_id: str, now: datetime, body: str) -> dict[str, str]:
    """The Standard Webhooks headers: one signature per secret signing now (two in rotation)."""
    at = now.astimezone(UTC)  # sign() replaces the zone rather than converting
    signatures = [
        Webhook(secret).sign(event_id, at, body) for secret in endpoint.signing_secrets(now)
    ]
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def retry_after(response: httpx.Response, now: datetime) -> timedelta | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def _record(
    delivery: WebhookDelivery, outcome: Outcome, policy: DeliveryPolicy, report: DrainReport
) -> None:
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.delivered_at = now
        report.delivered += 1
        return
    if outcome.status == GONE:
        return  # its endpoint is disabled; the row waits for staff to enable it again
    if delivery.attempts >= policy.max_attempts:
        delivery.gave_up_at = now
        report.given_up += 1
        return
    wait = policy.wait_after(delivery.attempts)
    if outcome.retry_after is not None:
        wait = max(wait, min(outcome.retry_after, policy.max_retry_after))
    delivery.next_attempt_at = now + wait
    report.failed += 1


def _disable(endpoint_ids: set[int], report: DrainReport) -> None:
    report.disabled += WebhookEndpoint.objects.filter(
        pk__in=endpoint_ids, disabled_at__isnull=True
    ).update(disabled_at=timezone.now(), disabled_reason="The receiver answered 410 Gone.")


def replay(deliveries: Sequence[WebhookDelivery]) -> int:
    """Staff: send these again (due now, a fresh count of attempts)."""
    ids = [delivery.pk for delivery in deliveries]
    return WebhookDelivery.objects.filter(pk__in=ids).update(
        delivered_at=None, gave_up_at=None, attempts=0, next_attempt_at=timezone.now()
    )
