"""The names evidence files take inside a case file's zip: `evidence/<nn>-<name><ext>`, the
name the person sent it with made safe. Whatever that name was (a path, `..`, control
characters, a thousand characters, any script), the result is one plain file name inside the
`evidence/` folder: the number keeps names unique, the extension says what the bytes are."""

import mimetypes
import re
import unicodedata
from collections.abc import Sequence

FOLDER = "evidence"
STEM_LIMIT = 60  # characters of the sent name kept (zip readers and file systems cap names)
FALLBACK = "photo"

# Letters and digits of any script, and a few harmless marks; everything else becomes "_".
_UNSAFE = re.compile(r"[^\w\-. ()]+", re.UNICODE)
_RUNS = re.compile(r"[_ ]{2,}")


def _stem(sent: str) -> str:
    name = unicodedata.normalize("NFC", sent)
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = re.split(r"[\\/]", name)[-1]  # a path's last part only
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    stem = _RUNS.sub("_", _UNSAFE.sub("_", stem)).strip(" ._-")
    return stem[:STEM_LIMIT].rstrip(" ._-") or FALLBACK


def _extension(content_type: str) -> str:
    # What the stored bytes are (evidence is re-encoded), never what the sent name claimed.
    return {"image/jpeg": ".jpg"}.get(content_type) or (
        mimetypes.guess_extension(content_type) or ".bin"
    )


def evidence_file_names(items: Sequence[tuple[str, str]]) -> list[str]:
    """`evidence/01-box.jpg`, … for each (name sent, content type), in order."""
    width = max(2, len(str(len(items))))
    return [
        f"{FOLDER}/{n:0{width}d}-{_stem(sent)}{_extension(content_type)}"
        for n, (sent, content_type) in enumerate(items, start=1)
    ]
