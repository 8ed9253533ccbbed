"""Every request is throttled per API key (PARLEY_API_RATE): over it, a 429 problem with
`rate_limited` and a Retry-After; another key, even of the same integration, keeps its own
count."""

import pytest

from integration.api import api
from integration.models import ApiKey, Integration, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_a_minute(monkeypatch):
    (throttle,) = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 3)
    monkeypatch.setattr(throttle, "duration", 60)


def _ping(client, key):
    return client.get("/api/v1/ping", headers={"Authorization": f"Bearer {key}"})


def test_a_key_over_its_rate_gets_a_429_problem_and_another_key_is_not_held(client, three_a_minute):
    market = Integration.objects.create(name="Bazaar")
    _, first = ApiKey.issue(market, scope=Scope.READ)
    _, second = ApiKey.issue(market, scope=Scope.WRITE)
    assert [_ping(client, first).status_code for _ in range(3)] == [200] * 3
    refused = _ping(client, first)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "rate_limited"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert _ping(client, second).status_code == 200
