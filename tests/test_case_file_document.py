"""The case file as a document and a zip: the JSON validates against the published schema,
its manifest's hashes match the stored files and the document's own hash recomputes; the zip
holds the JSON and every file under `evidence/`, however hostile the name it was sent with."""

import hashlib
import json
import zipfile
from datetime import timedelta

import jsonschema
import pytest
from django.conf import settings
from django.utils import timezone

from casefile import archive
from casefile.archive import JSON_NAME, evidence_zip
from casefile.content import build_case_file
from casefile.document import canonical_json, case_file_document, content_sha256
from casefile.names import STEM_LIMIT, evidence_file_names
from casefile.schemas import case_file_schema_text
from disputes.models import EvidenceItem
from tests.case_file_helpers import appealed_case
from tests.factories import open_dispute, photo

pytestmark = pytest.mark.django_db

SCHEMA_FILE = settings.BASE_DIR / "docs" / "case-file.schema.json"


@pytest.fixture
def case(buyer, seller, arbiter):
    return appealed_case(buyer=buyer, seller=seller, arbiter=arbiter)


def _document(case, audience="marketplace"):
    return case_file_document(build_case_file(case, audience=audience))


def test_the_published_schema_is_the_one_the_code_writes():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == case_file_schema_text(), (
        "run `manage.py case_file_schema` and commit docs/case-file.schema.json"
    )


@pytest.mark.parametrize("audience", ["buyer", "seller", "staff", "marketplace"])
def test_every_audiences_file_validates_against_the_published_schema(case, audience):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(json.dumps(_document(case, audience)))  # as a receiver reads it
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_the_manifest_proves_the_document_and_each_stored_file(case):
    document = json.loads(json.dumps(_document(case)))
    manifest = document["manifest"]
    assert manifest["format"] == "parley.case-file/1"
    content = {k: v for k, v in document["case_file"].items() if k != "generated_at"}
    recomputed = hashlib.sha256(canonical_json(content)).hexdigest()
    assert manifest["document_sha256"] == recomputed
    stored = {str(item.public_id): item for item in EvidenceItem.objects.filter(dispute=case)}
    assert {entry["id"] for entry in manifest["evidence"]} == set(stored) and len(stored) == 2
    for entry in manifest["evidence"]:
        with stored[entry["id"]].file.open("rb") as f:
            data = f.read()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)


def test_a_changed_word_no_longer_matches_the_documents_hash(case):
    document = json.loads(json.dumps(_document(case)))
    document["case_file"]["ruling"]["rationale"] += " (edited)"
    assert content_sha256(document["case_file"]) != document["manifest"]["document_sha256"]


def test_two_downloads_of_an_unchanged_case_carry_the_same_hash(case):
    first = case_file_document(build_case_file(case, audience="buyer"))
    later = case_file_document(
        build_case_file(case, audience="buyer", now=timezone.now() + timedelta(days=3))
    )
    assert first["case_file"]["generated_at"] != later["case_file"]["generated_at"]
    assert first["manifest"]["document_sha256"] == later["manifest"]["document_sha256"]


def test_the_zip_holds_the_json_and_every_file_as_stored(case):
    document = _document(case)
    with evidence_zip(document) as spool, zipfile.ZipFile(spool) as zipped:
        names = zipped.namelist()
        assert names[0] == JSON_NAME
        assert json.loads(zipped.read(JSON_NAME)) == json.loads(json.dumps(document))
        for entry in document["manifest"]["evidence"]:
            data = zipped.read(entry["file_name"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert sorted(names[1:]) == sorted(e["file_name"] for e in document["manifest"]["evidence"])


HOSTILE = [
    "../../etc/passwd",
    "..\\..\\windows\\system32\\evil.jpg",
    "/absolute/path.jpg",
    "nul\x00byte.jpg",
    "new\nline\r\tand\x1bescape.jpg",
    "x" * 5000 + ".jpg",
    "..",
    "",
    "   .hidden",
    "фото кота 🐱.jpeg",
    "名前.png",
    "a/../../b.jpg",
]


def test_hostile_names_stay_one_file_inside_the_evidence_folder():
    names = evidence_file_names([(name, "image/jpeg") for name in HOSTILE])
    assert len(set(names)) == len(HOSTILE)
    for name in names:
        folder, _, file_name = name.partition("/")
        assert folder == "evidence" and file_name and "/" not in file_name
        assert "\\" not in file_name and ".." not in file_name
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in file_name)
        assert file_name.endswith(".jpg") and len(file_name) <= STEM_LIMIT + 10
    assert names[9] == "evidence/10-фото кота.jpg" and names[10] == "evidence/11-名前.jpg"
    assert names[0] == "evidence/01-passwd.jpg"


def test_a_photo_sent_with_a_hostile_name_is_zipped_inside_the_folder(buyer, seller, tmp_path):
    photos = [photo(name) for name in ("../../etc/passwd", "a\x00b.jpg", "y" * 190 + ".jpg")]
    dispute = open_dispute(buyer=buyer, seller=seller, photos=photos)
    with evidence_zip(_document(dispute, "buyer")) as spool, zipfile.ZipFile(spool) as zipped:
        files = [name for name in zipped.namelist() if name != JSON_NAME]
        assert len(files) == 3
        assert all(name.startswith("evidence/") and name.count("/") == 1 for name in files)
        zipped.extractall(tmp_path)
    extracted = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert extracted == {JSON_NAME, *files}


def test_a_zip_past_its_memory_bound_goes_to_disk(buyer, seller, monkeypatch):
    monkeypatch.setattr(archive, "IN_MEMORY", 4 * 1024)
    photos = [photo(f"p{n}.jpg", size=(300, 200)) for n in range(5)]
    dispute = open_dispute(buyer=buyer, seller=seller, photos=photos)
    with evidence_zip(_document(dispute, "seller")) as spool:
        assert spool._rolled  # written to a temporary file, not held in memory
        with zipfile.ZipFile(spool) as zipped:
            assert len(zipped.namelist()) == 6 and zipped.testzip() is None
