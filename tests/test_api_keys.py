"""API keys: a key names its integration and scope, is stored hashed, and a revoked or unknown
key is refused with problem+json."""

import pytest
from django.utils import timezone

from integration.models import ApiKey, Integration, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def market():
    return Integration.objects.create(name="Bazaar")


def _get(client, key, path="/api/v1/ping"):
    return client.get(path, headers={"Authorization": f"Bearer {key}"} if key else {})


def test_a_key_names_its_integration_and_scope(client, market):
    _, key = ApiKey.issue(market, scope=Scope.WRITE)
    response = _get(client, key)
    assert response.status_code == 200
    assert response.json() == {"integration": "Bazaar", "scope": "write"}


def test_keys_are_stored_hashed(market):
    row, key = ApiKey.issue(market, scope=Scope.READ)
    assert key not in (row.digest, row.prefix) and row.digest == ApiKey.digest_of(key)


@pytest.mark.parametrize("key", ["", "pk_nonsense", "x" * 500])
def test_unknown_keys_get_a_problem(client, market, key):
    response = _get(client, key)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="parley"'  # RFC 6750


def test_a_revoked_key_is_refused(client, market):
    row, key = ApiKey.issue(market, scope=Scope.READ)
    ApiKey.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert _get(client, key).status_code == 401
