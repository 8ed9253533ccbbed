"""Failed logins lock an account out per client address, read behind the trusted proxies only;
hostile usernames never break the login page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


def _login(client, password, *, remote=PROXY, forwarded=None, username="bea"):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def _fail_until_locked(client, settings, **where):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", **where)


def test_behind_a_proxy_an_attacker_locks_out_only_their_own_address(client, buyer, settings):
    settings.PARLEY_TRUSTED_PROXIES = 1
    _fail_until_locked(client, settings, forwarded="203.0.113.9")
    assert _login(client, "pw-for-tests", forwarded="203.0.113.9").status_code == 429
    # The real buyer, at another address behind the same proxy, still signs in.
    assert _login(client, "pw-for-tests", forwarded="198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, buyer, settings):
    settings.PARLEY_TRUSTED_PROXIES = 1
    # The client writes its own X-Forwarded-For; the proxy appends the address it really saw.
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", forwarded=f"192.0.2.{n}, 203.0.113.9")
    assert _login(client, "pw-for-tests", forwarded="192.0.2.77, 203.0.113.9").status_code == 429


def test_without_trusted_proxies_the_header_is_ignored(client, buyer, settings):
    settings.PARLEY_TRUSTED_PROXIES = 0
    _fail_until_locked(client, settings, remote="203.0.113.9", forwarded="192.0.2.1")
    locked = _login(client, "pw-for-tests", remote="203.0.113.9", forwarded="192.0.2.2")
    assert locked.status_code == 429
    assert _login(client, "pw-for-tests", remote="198.51.100.7").status_code == 302


def test_a_very_long_username_is_refused_with_the_form_not_a_server_error(client, buyer):
    response = _login(client, "whatever", username="x" * 300)
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
