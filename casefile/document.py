"""A case file as a JSON document: the content (`case_file`) and a manifest that lets whoever
receives it prove nothing was altered: the SHA-256 of the content written canonically, and
for each evidence file its name in the zip, its SHA-256 and size (recorded when it was stored,
so the file in the zip, or in Parley's storage, must match them). docs/integration.md tells
a receiver how to check."""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .names import evidence_file_names
from .schemas import CaseFile, CaseFileDocument

FORMAT = "parley.case-file/1"


def canonical_json(value: Any) -> bytes:
    """JSON written one way only: keys sorted, no spaces, UTF-8 (what `document_sha256` hashes)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def content_sha256(content: Mapping[str, Any]) -> str:
    """`document_sha256`: the content written canonically, without the moment it was built, so
    two downloads of an unchanged case (and the PDF printed from either) name the same hash."""
    said = {name: value for name, value in content.items() if name != "generated_at"}
    return hashlib.sha256(canonical_json(said)).hexdigest()


def case_file_document(case_file: CaseFile) -> dict[str, Any]:
    """The document, as JSON-ready values (amounts as strings, moments as ISO 8601 in UTC)."""
    content = case_file.model_dump(mode="json")
    names = evidence_file_names([(e.original_name, e.content_type) for e in case_file.evidence])
    manifest = {
        "format": FORMAT,
        "generated_at": content["generated_at"],
        "document_sha256": content_sha256(content),
        "evidence": [
            {"id": item.id, "file_name": name, "sha256": item.sha256, "bytes": item.size}
            for item, name in zip(case_file.evidence, names, strict=True)
        ],
    }
    document = {"case_file": content, "manifest": manifest}
    CaseFileDocument.model_validate(document)  # what we hand out holds to the published schema
    return document


def document_bytes(document: dict[str, Any]) -> bytes:
    """The document as served: readable (indented), UTF-8."""
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
