"""A worker killed in the middle of a batch has sent emails it never marked: the next drain sends
them again, and each copy carries the same Message-ID, so mail systems and clients treat the
second as a duplicate of the first (hardening finding 9)."""

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.outbox import Note
from notifications import services
from notifications.models import Notification
from tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[1]


class RecordingBackend(BaseEmailBackend):
    """Appends each message's headers to a file; with `kill_after`, the process kills itself
    (SIGKILL, as the OOM killer or a redeploy would) right after that many sends."""

    def __init__(self, *, path: str, kill_after: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.path, self.kill_after, self.count = path, kill_after, 0

    def send_messages(self, messages):
        for message in messages:
            headers = message.message()
            record = {"id": headers["Message-ID"], "subject": headers["Subject"]}
            with open(self.path, "a") as file:
                file.write(json.dumps(record) + "\n")
            self.count += 1
            if self.count == self.kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
        return len(messages)


SWEEP_IN_A_WORKER = """
import json, os, sys
from datetime import timedelta
import django
django.setup()
from django.test import override_settings
from notifications.services import outbox_sweep
with override_settings(MAILERS=json.loads(os.environ["TEST_MAILERS"])):
    outbox_sweep(older_than=timedelta(0))
"""


def _mailers(path, kill_after=0):
    options = {"path": str(path), "kill_after": kill_after}
    return {"default": {"BACKEND": f"{__name__}.RecordingBackend", "OPTIONS": options}}


def test_a_worker_killed_mid_batch_resends_with_the_same_message_ids(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)  # no broker in this test
    buyer = BuyerFactory()
    at = timezone.now() - timedelta(minutes=1)
    notes = [Note(buyer.pk, f"resend:{i}", f"Note {i}", "Happened.") for i in range(5)]
    services.notify_many(notes, now=at)
    sent = tmp_path / "sent.jsonl"

    database = connection.settings_dict
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    worker = subprocess.run(
        [sys.executable, "-c", SWEEP_IN_A_WORKER],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DATABASE_URL": url,
            "TEST_MAILERS": json.dumps(_mailers(sent, kill_after=3)),
        },
        capture_output=True,
        timeout=60,
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]
    assert len(sent.read_text().splitlines()) == 3
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()  # rolled back

    with override_settings(MAILERS=_mailers(sent)):
        assert services.outbox_sweep(older_than=timedelta(0)) == 5

    records = [json.loads(line) for line in sent.read_text().splitlines()]
    assert len(records) == 8  # three sent twice
    ids_by_subject: dict[str, set[str]] = {}
    for record in records:
        ids_by_subject.setdefault(record["subject"], set()).add(record["id"])
    assert all(len(ids) == 1 for ids in ids_by_subject.values()), ids_by_subject
    for row in Notification.objects.all():
        (message_id,) = ids_by_subject[f"[Parley] {row.subject}"]
        assert message_id.startswith(f"<notification-{row.pk}.")
