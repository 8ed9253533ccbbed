"""Property-based tests from the app's own OpenAPI schema (schemathesis): every operation, called
with a write key, a read key and a key that is no key, never answers with a 5xx, and every answer
conforms to the schema (status, content type, body). Bounded so the file runs in well under a
minute; the API's own tests (test_api_*.py) cover the meaning."""

import re

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from config.wsgi import application
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/v1/openapi.json"
EXAMPLES = 10  # per operation and mode, each called with three keys
# A cursor is opaque: the schema cannot tell which strings the API handed out, so a well-formed
# one it never did is a 400 (`invalid_cursor`), not a refusal of valid data.
ACCEPTED = ["2xx", "400", "401", "403", "404", "409", "429"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
)


@pytest.fixture
def market():
    return Integration.objects.create(name="Bazaar")


@pytest.fixture
def case_ref(market, buyer, seller):
    """A case of the integration's, so that the listing answers with one."""
    dispute = open_dispute(buyer=buyer, seller=seller)
    ExternalRef.objects.create(
        integration=market, kind=RefKind.ORDER, external_id="o-1", object_id=dispute.order_id
    )
    return dispute.reference


@pytest.fixture
def keys(market):
    """A write key, a read key, and one that is no key."""
    return [ApiKey.issue(market, scope=s)[1] for s in (Scope.WRITE, Scope.READ)] + ["pk_nope"]


@pytest.fixture
def api_schema(db):
    """The schema, loaded from the app itself, which schemathesis then calls in-process. As
    Django's test client does, keep the test's database connection open across requests (the
    WSGI handler closes it after each, and the test's transaction with it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _calls_within_schema(operation, mode, keys):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def each(case):
        for key in keys:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"})

    each()


# schemathesis' own pytest collection (`schema.parametrize`) trips on pytest 9's node ids:
# the operations are walked here instead, each a Hypothesis test of its own.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_within_its_schema(api_schema, keys, case_ref, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 3
    for operation in operations:
        _calls_within_schema(operation, mode, keys)


def test_a_case_read_conforms_to_its_schema(api_schema, case_ref, market):
    _, key = ApiKey.issue(market, scope=Scope.READ)
    operation = api_schema["/api/v1/cases/{reference}"]["GET"]
    case = operation.Case(path_parameters={"reference": case_ref})
    response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["reference"] == case_ref


def test_a_test_clock_advance_in_a_sandbox_conforms_to_its_schema(
    api_schema, case_ref, market, settings
):
    settings.PARLEY_SANDBOX = True
    _, key = ApiKey.issue(market, scope=Scope.WRITE)
    operation = api_schema["/api/v1/cases/{reference}/test_clock/advance"]["POST"]
    for to in ("next_deadline", "end"):
        case = operation.Case(path_parameters={"reference": case_ref}, body={"to": to})
        response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 200
    assert response.json()["state"] == "resolved"
    _calls_within_schema(operation, GenerationMode.POSITIVE, [key])


@pytest.mark.parametrize("path", ["/case-file", "/case-file/evidence.zip"])
def test_a_case_file_conforms_to_its_schema(api_schema, case_ref, market, path):
    _, key = ApiKey.issue(market, scope=Scope.READ)
    operation = api_schema[f"/api/v1/cases/{{reference}}{path}"]["GET"]
    case = operation.Case(path_parameters={"reference": case_ref})
    response = case.call_and_validate(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_the_schema_is_openapi_3_1_and_served_by_the_app(client):
    response = client.get(SCHEMA_PATH)
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/cases", "/api/v1/cases/{reference}"} <= set(document["paths"])


def test_the_docs_page_loads_only_the_apps_own_assets(client):
    """Swagger UI from django-ninja's static files (ninja is an installed app): no CDN, no
    inline script (its settings ride in a JSON data block), so it works under SECURE_CSP.
    Checked once by hand in Chromium: it renders every operation without a CSP violation."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets
    assert all(finders.find(a.removeprefix("/static/")) for a in assets)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    inline = [attrs for attrs, body in scripts if body.strip()]
    assert all('type="application/json"' in attrs for attrs in inline)
    assert "script-src 'self'" in response["Content-Security-Policy"]
