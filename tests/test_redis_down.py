"""With Redis down, people's acts still commit and pages still answer, quickly."""

import time

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError

from config.celery import app
from core import cache as core_cache

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    core_cache.resume()
    yield
    core_cache.resume()


def test_the_queue_answers_with_its_counts_when_the_cache_is_down(client, arbiter, redis_down):
    client.force_login(arbiter)
    started = time.monotonic()
    first = client.get(reverse("arbitration:queue"))
    second = client.get(reverse("arbitration:queue"))
    assert first.status_code == second.status_code == 200
    assert "0 waiting for an arbiter" in second.content.decode()
    assert time.monotonic() - started < 1.0


def test_publishing_to_a_dead_broker_gives_up_within_a_second():
    started = time.monotonic()
    with app.connection_for_write(DEAD_REDIS) as connection, pytest.raises(OperationalError):
        app.send_task("notifications.sweep_outbox", retry=False, connection=connection)
    assert time.monotonic() - started < 1.0
