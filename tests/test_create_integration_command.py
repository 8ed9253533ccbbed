"""`manage.py create_integration`: the admin's set-up in one line, the key and the secret
shown once (stored hashed, or kept only to sign), nothing made when an argument is wrong."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integration.models import ApiKey, Integration, WebhookEndpoint

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("create_integration", *args, stdout=out)
    return out.getvalue()


def test_it_connects_a_marketplace_with_a_write_key_and_an_endpoint(client):
    out = _run("Bazaar", "--webhook-url", "https://hooks.bazaar.test/parley")
    key = re.search(r"shown once: (pk_\S+)", out).group(1)
    secret = re.search(r"signing secret, shown once: (whsec_\S+)", out).group(1)
    market = Integration.objects.get(name="Bazaar")
    row = ApiKey.objects.get(integration=market)
    assert row.scope == "write" and row.digest == ApiKey.digest_of(key)
    endpoint = WebhookEndpoint.objects.get(integration=market)
    assert endpoint.secret == secret and endpoint.event_types == []
    ping = client.get("/api/v1/ping", headers={"Authorization": f"Bearer {key}"})
    assert ping.json() == {"integration": "Bazaar", "scope": "write"}


def test_run_again_it_reuses_the_integration_and_issues_another_key():
    _run("Bazaar")
    out = _run(
        "Bazaar",
        "--scope",
        "read",
        "--webhook-url",
        "https://h.bazaar.test/",
        "--events",
        "case.created",
        "refund.*",
    )
    assert "exists" in out and Integration.objects.count() == 1
    assert sorted(ApiKey.objects.values_list("scope", flat=True)) == ["read", "write"]
    assert WebhookEndpoint.objects.get().event_types == ["case.created", "refund.*"]


@pytest.mark.parametrize(
    "args",
    [
        ["--webhook-url", "ftp://files.bazaar.test/"],
        ["--webhook-url", "https://h.bazaar.test/", "--events", "case.nothing"],
    ],
)
def test_a_wrong_argument_makes_nothing(args):
    with pytest.raises(CommandError):
        _run("Bazaar", *args)
    assert not Integration.objects.exists() and not ApiKey.objects.exists()
