"""The evidence originals as a zip: `case-file.json` at its root (the document with its
manifest) and each evidence file, as stored, under `evidence/` by the manifest's name. Written
to a spooled temporary file, each evidence file copied in chunks, so memory stays bounded
however many photos the case has."""

import shutil
import zipfile
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from disputes.models import EvidenceItem

from .document import document_bytes

JSON_NAME = "case-file.json"
IN_MEMORY = 8 * 1024 * 1024  # past this the zip goes to a temporary file on disk
CHUNK = 256 * 1024


def _stored(document: dict[str, Any]) -> dict[str, EvidenceItem]:
    ids = [entry["id"] for entry in document["manifest"]["evidence"]]
    return {str(item.public_id): item for item in EvidenceItem.objects.filter(public_id__in=ids)}


def write_evidence_zip(document: dict[str, Any], out: IO[bytes]) -> None:
    """The zip of `document` (from `case_file_document`) written to `out`. Photos are stored
    as they are (JPEG does not compress further); the JSON is deflated."""
    items = _stored(document)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(JSON_NAME, document_bytes(document), zipfile.ZIP_DEFLATED)
        for entry in document["manifest"]["evidence"]:
            item = items[entry["id"]]
            with item.file.open("rb") as source, archive.open(entry["file_name"], "w") as target:
                shutil.copyfileobj(source, target, CHUNK)


def evidence_zip(document: dict[str, Any]) -> SpooledTemporaryFile[bytes]:
    """The zip in a spooled file, rewound, for a response to stream (and close)."""
    # Handed open to the response, which closes it once sent.
    spool: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
    try:
        write_evidence_zip(document, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
