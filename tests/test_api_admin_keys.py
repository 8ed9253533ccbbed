"""Staff create integrations and issue their keys in the admin: the clear key is shown once,
on the page after, and stored hashed; a revoked key is refused from then on."""

import re

import pytest

from integration.models import ApiKey, Integration

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_staff_create_an_integration_and_issue_a_write_key(staff, client):
    inline = {"keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0"}
    added = staff.post(
        "/admin/integration/integration/add/", {"name": "Bazaar", "is_active": "on", **inline}
    )
    assert added.status_code == 302
    market = Integration.objects.get(name="Bazaar")
    page = staff.post(
        "/admin/integration/integration/",
        {"action": "issue_write_key", "_selected_action": [market.pk]},
    )
    assert page.status_code == 200
    row = ApiKey.objects.get(integration=market)
    key = re.search(r"<code>(pk_[^<]+)</code>", page.content.decode()).group(1)
    assert row.digest == ApiKey.digest_of(key) and row.scope == "write"
    assert "no-cache" in page["Cache-Control"]
    ping = client.get("/api/v1/ping", headers={"Authorization": f"Bearer {key}"})
    assert ping.json() == {"integration": "Bazaar", "scope": "write"}
    listing = staff.get(f"/admin/integration/integration/{market.pk}/change/")
    assert key not in listing.content.decode() and row.prefix in listing.content.decode()


def test_a_revoked_key_is_refused(staff, client):
    market = Integration.objects.create(name="Bazaar")
    row, key = ApiKey.issue(market, scope="read")
    staff.post("/admin/integration/apikey/", {"action": "revoke", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert client.get("/api/v1/ping", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_only_staff_reach_the_keys(client, buyer):
    client.force_login(buyer)
    response = client.get("/admin/integration/integration/")
    assert response.status_code == 302
