"""Who gets a case file: on the web, the case's buyer and seller (their own file) and arbiters
(staff's), anyone else a 404; through the API, the marketplace the case's order came from
(the shared record), another marketplace a 404 as for every case endpoint."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from arbitration import services as arbitration
from casefile.archive import JSON_NAME
from disputes import services
from integration.models import ApiKey, ExternalRef, Integration, RefKind, Scope
from tests.factories import open_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture
def dispute(buyer, seller, arbiter):
    dispute = open_dispute(buyer=buyer, seller=seller)
    services.dispute_seller_reject(dispute=dispute, actor=seller, explanation="No.")
    services.dispute_escalate_by_buyer(dispute=dispute, actor=buyer)
    arbitration.case_take_next(arbiter=arbiter)
    return dispute


def _web(client, person, name, dispute):
    client.force_login(person)
    return client.get(reverse(f"casefile:{name}", args=[dispute.reference]))


@pytest.mark.parametrize(
    ("who", "audience"), [("buyer", "buyer"), ("seller", "seller"), ("arbiter", "staff")]
)
def test_the_people_of_a_case_download_their_own_file(client, request, dispute, who, audience):
    response = _web(client, request.getfixturevalue(who), "json", dispute)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert f'filename="{dispute.reference}-case-file.json"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["case_file"]["audience"] == audience
    assert (document["case_file"]["staff"] is None) == (audience != "staff")


def test_the_evidence_zip_downloads_for_a_party(client, buyer, dispute):
    response = _web(client, buyer, "evidence", dispute)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        assert JSON_NAME in zipped.namelist()
        assert json.loads(zipped.read(JSON_NAME))["case_file"]["audience"] == "buyer"


@pytest.mark.parametrize("who", ["other_buyer", "other_seller"])
@pytest.mark.parametrize("name", ["json", "evidence"])
def test_someone_elses_case_file_is_not_found(client, request, dispute, who, name):
    assert _web(client, request.getfixturevalue(who), name, dispute).status_code == 404


def test_a_case_file_in_the_readers_language(client, buyer, dispute):
    buyer.language = "es"
    buyer.save(update_fields=["language"])
    document = json.loads(_web(client, buyer, "json", dispute).content)
    assert document["case_file"]["language"] == "es"
    assert document["case_file"]["claim"]["state_label"] == "Con un árbitro"


def test_the_case_page_offers_the_downloads(client, buyer, arbiter, dispute):
    url = reverse("casefile:json", args=[dispute.reference])
    client.force_login(buyer)
    assert url in client.get(reverse("disputes:detail", args=[dispute.reference])).content.decode()
    client.force_login(arbiter)
    page = client.get(reverse("arbitration:case", args=[dispute.reference]))
    assert url in page.content.decode()


# --- Through the API ---------------------------------------------------------------------------


def _market(name, dispute=None):
    integration = Integration.objects.create(name=name)
    if dispute is not None:
        ExternalRef.objects.create(
            integration=integration,
            kind=RefKind.ORDER,
            external_id="o-9",
            object_id=dispute.order_id,
        )
    return ApiKey.issue(integration, scope=Scope.READ)[1]


def _api(client, key, path):
    return client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})


def test_the_marketplace_reads_the_shared_record_with_its_order_id(client, dispute):
    key = _market("Bazaar", dispute)
    response = _api(client, key, f"/cases/{dispute.reference}/case-file")
    assert response.status_code == 200, response.content
    case_file = response.json()["case_file"]
    assert case_file["audience"] == "marketplace" and case_file["staff"] is None
    assert case_file["order"]["external_id"] == "o-9"
    zipped = _api(client, key, f"/cases/{dispute.reference}/case-file/evidence.zip")
    assert zipped.status_code == 200 and zipped["Content-Type"] == "application/zip"
    # One party's record: no shared cache may keep either.
    assert response["Cache-Control"] == zipped["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/case-file", "/case-file/evidence.zip"])
def test_another_marketplaces_key_finds_no_such_case(client, dispute, path):
    _market("Bazaar", dispute)
    stranger = _market("Elsewhere")
    response = _api(client, stranger, f"/cases/{dispute.reference}{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_without_a_key_the_case_file_is_refused(client, dispute):
    response = _api(client, "pk_nope", f"/cases/{dispute.reference}/case-file")
    assert response.status_code == 401
