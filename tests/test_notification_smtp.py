"""Production SMTP comes from the environment (SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD,
SMTP_TLS) and delivers to a real SMTP server: one started by the test (aiosmtpd), which checks
the login and keeps what it receives."""

import json
import os
import socket
import subprocess
import sys
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from core.outbox import Note
from notifications import services
from notifications.models import Notification
from tests.factories import BuyerFactory

ROOT = Path(__file__).resolve().parents[1]
READ_MAILERS = "import json; from config import settings; print(json.dumps(settings.MAILERS))"


def _settings_from(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """Load config/settings.py in a fresh interpreter with only these SMTP/MAIL variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "MAIL_BACKEND"))}
    env |= {"DJANGO_SECRET_KEY": "smtp-test", "DJANGO_DEBUG": "0", **environment}
    return subprocess.run(
        [sys.executable, "-c", READ_MAILERS], cwd=ROOT, env=env, capture_output=True, timeout=60
    )


def _mailers_from(environment: dict[str, str]) -> dict:
    loaded = _settings_from(environment)
    assert loaded.returncode == 0, loaded.stderr.decode()[-2000:]
    return json.loads(loaded.stdout)


class Inbox:
    """aiosmtpd handler: accepts every message, remembering it and the connection it came on."""

    def __init__(self):
        self.messages: list[tuple[tuple, str | None, bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((session.peer, session.auth_data, envelope.content))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"parley",
        b"s3cret",
    )
    return AuthResult(success=ok, auth_data=auth_data.login if ok else None)


@pytest.fixture
def smtp_server():
    with socket.socket() as probe:  # a free port (aiosmtpd cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    server = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_authenticate,
        auth_require_tls=False,  # a test server on loopback: no certificate
        auth_required=True,
    )
    server.start()
    yield port, inbox
    server.stop()


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_from_the_environment_delivers_to_a_real_server(smtp_server, monkeypatch):
    port, inbox = smtp_server
    mailers = _mailers_from(
        {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_USER": "parley",
            "SMTP_PASSWORD": "s3cret",
            "SMTP_TLS": "none",
        }
    )
    monkeypatch.setattr(services, "_queue_delivery", lambda: None)
    buyer = BuyerFactory()
    at = timezone.now() - timedelta(minutes=1)
    notes = [Note(buyer.pk, f"smtp:{i}", f"Case update {i}", "Happened.") for i in range(3)]
    services.notify_many(notes, now=at)

    with override_settings(MAILERS=mailers):
        assert services.outbox_sweep(older_than=timedelta(0)) == 3

    assert not getattr(mail, "outbox", [])  # nothing went to the test mailer
    received = {}
    for _peer, login, content in inbox.messages:
        assert login == b"parley"  # logged in with SMTP_USER / SMTP_PASSWORD
        message = message_from_bytes(content)
        received[message["Message-ID"]] = message
    assert len({peer for peer, _login, _content in inbox.messages}) == 1  # one connection
    for row in Notification.objects.all():
        assert row.emailed_at is not None
        (message_id,) = [key for key in received if key.startswith(f"<notification-{row.pk}.")]
        assert received[message_id]["Subject"] == f"[Parley] {row.subject}"
        assert received[message_id]["To"] == buyer.email


@pytest.mark.parametrize(
    ("tls", "use_tls", "use_ssl", "port"),
    [(None, True, False, None), ("ssl", False, True, None), ("none", False, False, 2525)],
)
def test_smtp_security_and_defaults_from_the_environment(tls, use_tls, use_ssl, port):
    environment = {"SMTP_HOST": "mail.example.test"}
    environment |= {"SMTP_TLS": tls} if tls else {}
    environment |= {"SMTP_PORT": str(port)} if port else {}
    (default,) = _mailers_from(environment).values()
    assert default["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert default["OPTIONS"] == {
        "host": "mail.example.test",
        "port": port,
        "username": "",
        "password": "",
        "use_tls": use_tls,
        "use_ssl": use_ssl,
        "timeout": 10,
    }


def test_smtp_without_a_host_or_with_an_unknown_tls_mode_refuses_to_start():
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    assert b"SMTP_HOST" in _settings_from({"MAIL_BACKEND": smtp}).stderr
    assert b"SMTP_TLS" in _settings_from({"SMTP_HOST": "mail.test", "SMTP_TLS": "maybe"}).stderr
    (console,) = _mailers_from({}).values()  # nothing configured: the console, as before
    assert console == {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
