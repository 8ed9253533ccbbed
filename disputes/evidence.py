"""The photo pipeline for every evidence upload: dispute filing, seller rejection, messages.

An upload is never stored as sent. Its size is checked before anything is decoded, its type is
sniffed from the bytes (the name and the client's Content-Type are ignored), it is decoded under a
pixel limit and in full (so truncated files fail), scaled down to a maximum stored dimension,
turned upright, and its pixels are copied into a fresh image that is re-encoded as JPEG. Nothing
from the original file but the pixels survives: no EXIF (GPS, camera serials), XMP, ICC profile or
comment.

Memory and time per photo are bounded: a JPEG is decoded directly at a reduced scale when the
stored size is smaller (libjpeg's scaled IDCT, Pillow's `draft`); other formats are decoded once
and shrunk by an integer `reduce` before the final resample; no second full-size copy is made.
The stored JPEG's quality steps down while it is over a byte budget (twice the upload), so a
small PNG screenshot does not become a JPEG many times its size.

`process_photo` is pure: no models, no database, no storage. Callers store
`ProcessedPhoto.content` under a server-generated name. `check_evidence_room` is the one
function here that reads the database (a count of the case's photos).
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Collection
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING

import pi_heif
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from core.errors import ActionRefused

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from .models import Dispute

# Registers Pillow's "HEIF" decoder (iPhone photos). pi-heif is decode-only and LGPL, unlike
# pillow-heif, whose wheels bundle the GPL x265 encoder.
pi_heif.register_heif_opener()

logger = logging.getLogger(__name__)

# Pillow only tries these decoders: the type sniff, and a smaller parser surface than "any format".
ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]
# Defaults for callers that pass none; the forms pass settings.PARLEY_EVIDENCE's.
JPEG_QUALITY = 85
MAX_DIMENSION = 2560
# The stored JPEG may be at most this many times the upload (or BUDGET_FLOOR, so that small
# files keep their quality); over it, the quality steps down, then the size, to a floor.
BUDGET_RATIO = 2
BUDGET_FLOOR = 256 * 1024
QUALITY_STEPS = (75, 65, 55)
SHRINK_STEP = 0.75
MIN_SHRUNK_DIMENSION = 1280
# Pillow: "With reducing_gap greater or equal to 3.0, the result is indistinguishable from fair
# resampling in most cases."
REDUCING_GAP = 3.0
ALPHA_MODES = ("RGBA", "LA", "RGBa", "La")
THUMBNAIL_BOX = (320, 320)
MAX_NAME_LENGTH = 200
MEGABYTE = 1024 * 1024

# Shown to the person who uploaded, in their language; `%` fills them in when raised.
NOT_A_PHOTO = _("“%(name)s” is not a photo: only JPEG, PNG, WebP and HEIC images are accepted.")
TOO_LARGE = _("“%(name)s” is too large: each photo can be at most %(limit)s MB.")
TOO_MANY_PIXELS = _("“%(name)s” has too many pixels: photos can be at most %(limit)s megapixels.")
UNREADABLE = _("“%(name)s” could not be read as an image: the file may be damaged or incomplete.")


def _limits_help() -> str:
    """What a photo field accepts, with the limits in force when it is shown."""
    limits = settings.PARLEY_EVIDENCE
    count, megabytes = limits["max_per_submission"], limits["max_bytes"] // MEGABYTE
    words = ngettext(
        "JPEG, PNG, WebP or HEIC; up to %(count)d photo of %(size)d MB each. Location data is "
        "removed.",
        "JPEG, PNG, WebP or HEIC; up to %(count)d photos of %(size)d MB each. Location data is "
        "removed.",
        count,
    )
    return words % {"count": count, "size": megabytes}


# Form fields are built at import, before anyone's language is known: worked out when shown.
limits_help = lazy(_limits_help, str)


class EvidenceRejected(ActionRefused):
    """An upload that cannot become evidence. `message` is shown to the user as it is.

    An ActionRefused, so that the services can raise it and the views show it like any refusal.
    """


@dataclass(frozen=True)
class ProcessedPhoto:
    content: bytes = field(repr=False)  # re-encoded JPEG, no metadata
    thumbnail: bytes = field(repr=False)  # JPEG that fits in THUMBNAIL_BOX
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str  # hex digest of `content`, the bytes that are stored
    original_name: str  # for display only; never used as a storage name


def check_photo_batch(uploads: Collection[UploadedFile], *, max_count: int) -> None:
    """Refuse a submission with more than `max_count` photos, before any of them is decoded."""
    count = len(uploads)
    if count > max_count:
        words = ngettext(
            "You can attach at most %(limit)d photo at a time, and you chose %(count)d.",
            "You can attach at most %(limit)d photos at a time, and you chose %(count)d.",
            max_count,
        )
        raise EvidenceRejected(words % {"limit": max_count, "count": count})


def check_evidence_room(dispute: Dispute, adding: int) -> None:
    """Refuse `adding` more photos on a case that would then hold more than
    PARLEY_EVIDENCE["max_per_dispute"] (both parties together).

    Forms call it before decoding anything; the services call it again where the photos are
    attached, under the dispute's row lock, where the count cannot change underneath.
    """
    limit = settings.PARLEY_EVIDENCE["max_per_dispute"]
    if adding <= 0:
        return
    count = dispute.evidence.count()
    if count + adding <= limit:
        return
    room = max(0, limit - count)
    if room == 0:
        words = ngettext(
            "A case can hold at most %(limit)d photo, and this one has %(count)d: none can be "
            "added.",
            "A case can hold at most %(limit)d photos, and this one has %(count)d: none can be "
            "added.",
            limit,
        )
    else:
        words = ngettext(
            "A case can hold at most %(limit)d photo and this one has %(count)d, so you can add "
            "%(room)d more, not %(adding)d.",
            "A case can hold at most %(limit)d photos and this one has %(count)d, so you can add "
            "%(room)d more, not %(adding)d.",
            limit,
        )
    raise EvidenceRejected(words % {"limit": limit, "count": count, "room": room, "adding": adding})


def process_photo(
    upload: UploadedFile,
    *,
    max_bytes: int,
    max_pixels: int,
    max_dimension: int = MAX_DIMENSION,
    quality: int = JPEG_QUALITY,
) -> ProcessedPhoto:
    """Check, decode and re-encode one uploaded photo, or raise EvidenceRejected.

    The stored image's longest side is at most `max_dimension`, encoded at `quality` (lower if
    that would be over the byte budget). The pixel limit in force is the lower of `max_pixels`
    and Pillow's global `Image.MAX_IMAGE_PIXELS`, which is read here and never changed.
    """
    name = display_name(upload.name)
    data = _read_limited(upload, name, max_bytes)
    clean = _decode(data, name, max_pixels, max_dimension)
    budget = max(len(data) * BUDGET_RATIO, BUDGET_FLOOR)
    content, stored = _encode_within(clean, quality, budget=budget)
    return ProcessedPhoto(
        content=content,
        thumbnail=_encode_jpeg(_thumbnail(stored), quality),
        content_type="image/jpeg",
        extension="jpg",
        width=stored.width,
        height=stored.height,
        sha256=hashlib.sha256(content).hexdigest(),
        original_name=name,
    )


def display_name(raw: str | None) -> str:
    """The uploaded file's own name, safe to show: no folders, no control characters, 200 chars."""
    # Some browsers send a full Windows path; Django's basename() only strips "/" on Linux.
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    # Drops control and format characters too, e.g. U+202E, which can make "gpj.exe" read "exe.jpg".
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        keep_ext = dot and stem and len(ext) <= 10
        name = stem[: MAX_NAME_LENGTH - len(ext) - 1] + "." + ext if keep_ext else name
        name = name[:MAX_NAME_LENGTH]
    return name or "photo"


# The refusals are put into words only when raised: a photo that passes never needs the
# translations (the pipeline also runs where they are not loaded, e.g. bench/photos.py).
def _too_large(name: str, max_bytes: int) -> EvidenceRejected:
    return EvidenceRejected(TOO_LARGE % {"name": name, "limit": _rounded(max_bytes / MEGABYTE)})


def _too_many_pixels(name: str, limit: int) -> EvidenceRejected:
    return EvidenceRejected(TOO_MANY_PIXELS % {"name": name, "limit": _rounded(limit / 1e6)})


def _read_limited(upload: UploadedFile, name: str, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise _too_large(name, max_bytes)
    upload.seek(0)
    # Read one byte past the limit: `.size` comes from the upload handler, the bytes are the truth.
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(name, max_bytes)
    return data


def _decode(data: bytes, name: str, max_pixels: int, max_dimension: int) -> Image.Image:
    """Decode the first frame in full under the pixel limit, no larger than needed; return it
    upright, fitted in `max_dimension`, as a fresh RGB image."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched Pillow to fill truncated files with grey; evidence must be whole.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; refusing to accept evidence")
    limit = _pixel_limit(max_pixels)
    try:
        # Python 3.13's catch_warnings swaps the process-wide filter list, so it is not
        # thread-safe. That is acceptable here: another thread seeing this "error" filter only
        # refuses images Pillow already calls bombs, and if another thread restores the old list
        # mid-decode the warning is merely printed: our own size check below still refuses first.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Nested calls, no local name: the full-size image dies inside _scaled.
            scaled = _scaled(_opened(data, limit, name), max_dimension)
            return _fresh_rgb(_upright(scaled))
    except EvidenceRejected:
        raise
    except UnidentifiedImageError as exc:
        raise EvidenceRejected(NOT_A_PHOTO % {"name": name}) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(name, limit) from exc
    except Exception as exc:
        # Decoders raise OSError, SyntaxError, ValueError, struct.error, EOFError, ... on bad
        # input; for the user they all mean the same thing.
        logger.info("evidence photo unreadable: %s: %s", type(exc).__name__, exc)
        raise EvidenceRejected(UNREADABLE % {"name": name}) from exc


def _opened(data: bytes, limit: int, name: str) -> Image.Image:
    im = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
    # Image.open reads only the header: refuse before any pixel memory is allocated.
    if im.width * im.height > limit:
        raise _too_many_pixels(name, limit)
    return im


def _scaled(im: Image.Image, max_dimension: int) -> Image.Image:
    """Decode `im` (opened, not loaded) and return it fitted in a `max_dimension` square.

    A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that is still at least the target size;
    other formats are decoded at full size once, then `resize(reducing_gap=...)` shrinks them
    by an integer `reduce` before the final Lanczos pass. The full-size image is freed as soon
    as this returns: the caller holds no other reference to it.
    """
    target = _fit(im.size, (max_dimension, max_dimension))
    if target != im.size:
        im.draft(None, target)  # JPEG only; a no-op for the other formats
    im.load()  # decodes the current (first) frame; raises on a truncated file
    if im.mode in ("1", "P", "PA") or (im.has_transparency_data and im.mode not in ALPHA_MODES):
        # Resampling would fall back to nearest-neighbour, or lose the colour-key transparency.
        im = _resizable(im)
    if im.size != target:
        im = im.resize(target, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    return im


def _resizable(im: Image.Image) -> Image.Image:
    alpha = im.has_transparency_data
    if im.mode in ("1", "L"):
        return im.convert("LA" if alpha else "L")  # a 1-bit scan stays one byte a pixel
    return im.convert("RGBA" if alpha else "RGB")


def _fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down, aspect kept, to fit in `box`; unchanged if it already fits."""
    scale = min(box[0] / size[0], box[1] / size[1])
    if scale >= 1:
        return size
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _pixel_limit(max_pixels: int) -> int:
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return max_pixels if pillow_limit is None else min(max_pixels, pillow_limit)


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation: once the tag is stripped, phone photos would show sideways.

    Done after scaling: the metadata (`info`) travels with the resized image."""
    try:
        ImageOps.exif_transpose(im, in_place=True)
    except Exception as exc:
        # A damaged EXIF block should not cost the user the photo: keep it as stored.
        logger.info("evidence photo EXIF orientation ignored: %s: %s", type(exc).__name__, exc)
    return im


def _fresh_rgb(im: Image.Image) -> Image.Image:
    """Copy only the pixels into a new RGB image (empty `info`), alpha flattened onto white."""
    clean = Image.new("RGB", im.size, "white")
    if im.has_transparency_data:
        rgba = im.convert("RGBA")
        clean.paste(rgba, mask=rgba.getchannel("A"))
    else:
        clean.paste(_to_rgb(im))
    return clean


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("I", "F") or im.mode.startswith("I;16"):
        # 16-bit greyscale PNG: convert() would clip everything above 255 to white.
        im = im.convert("I").point(lambda v: v / 256).convert("L")
    return im if im.mode == "RGB" else im.convert("RGB")


def _thumbnail(clean: Image.Image) -> Image.Image:
    size = _fit(clean.size, THUMBNAIL_BOX)
    return clean.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)


def _encode_within(im: Image.Image, quality: int, *, budget: int) -> tuple[bytes, Image.Image]:
    """The JPEG at `quality` or, while it is over `budget` bytes, at each lower quality step,
    then at smaller sizes (never under MIN_SHRUNK_DIMENSION): a PNG of text or flat colour can
    be many times smaller than any JPEG of it. Returns the bytes and the image they encode."""
    content = _encode_jpeg(im, quality)
    for step in (q for q in QUALITY_STEPS if q < quality):
        if len(content) <= budget:
            return content, im
        content = _encode_jpeg(im, step)
    lowest = min(quality, QUALITY_STEPS[-1])
    while len(content) > budget and max(im.size) * SHRINK_STEP >= MIN_SHRUNK_DIMENSION:
        size = _fit(im.size, (round(im.width * SHRINK_STEP), round(im.height * SHRINK_STEP)))
        im = im.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
        content = _encode_jpeg(im, lowest)
    return content, im


def _encode_jpeg(im: Image.Image, quality: int) -> bytes:
    # Explicit options only: no exif=, icc_profile=, xmp= or comment= is ever passed.
    buffer = BytesIO()
    im.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _rounded(value: float) -> str:
    """10.0 -> "10", 89.478485 -> "89.5": limits read as people write them."""
    return f"{round(value, 1):g}"
