"""Health endpoint, error pages and security headers."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_health_reports_database_cache_redis_and_storage_to_staff(client, arbiter):
    client.force_login(arbiter)
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    report = response.json()
    assert len(report) == 4
    assert all(status == "OK" for status in report.values()), report


def test_health_tells_the_public_only_up_or_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/health/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "6379" not in response.content.decode()


def test_a_monitor_with_the_token_gets_the_details(client, settings):
    settings.PARLEY_HEALTH_TOKEN = "monitor-secret"
    headers = {"HTTP_ACCEPT": "application/json"}
    wrong = client.get("/health/", HTTP_AUTHORIZATION="Bearer nope", **headers)
    assert wrong.json() == {"status": "ok"}
    right = client.get("/health/", HTTP_AUTHORIZATION="Bearer monitor-secret", **headers)
    assert len(right.json()) == 4


def test_server_error_page_is_styled_and_leaks_nothing(settings, buyer):
    settings.ROOT_URLCONF = "tests.urls_boom"
    client = Client(raise_request_exception=False)
    client.force_login(buyer)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html and "boom" not in html.lower().replace("/boom/", "")


def test_content_security_policy_allows_only_this_site(client):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
