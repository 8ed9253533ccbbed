"""The photo pipeline for every evidence upload: dispute filing, seller rejection, messages.

An upload is never stored as sent. Its size is checked before anything is decoded, its type is
sniffed from the bytes (the name and the client's Content-Type are ignored), it is decoded under a
pixel limit and in full (so truncated files fail), turned upright, and its pixels are copied into a
fresh image that is re-encoded as JPEG. Nothing from the original file but the pixels survives: no
EXIF (GPS, camera serials), XMP, ICC profile or comment.

Pure functions: no models, no database, no storage. Callers store `ProcessedPhoto.content` under a
server-generated name.
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
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

# Registers Pillow's "HEIF" decoder (iPhone photos). pi-heif is decode-only and LGPL, unlike
# pillow-heif, whose wheels bundle the GPL x265 encoder.
pi_heif.register_heif_opener()

logger = logging.getLogger(__name__)

# Pillow only tries these decoders: the type sniff, and a smaller parser surface than "any format".
ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "HEIF"]
JPEG_QUALITY = 85
THUMBNAIL_BOX = (320, 320)
MAX_NAME_LENGTH = 200
MEGABYTE = 1024 * 1024

NOT_A_PHOTO = "“{name}” is not a photo: only JPEG, PNG, WebP and HEIC images are accepted."
TOO_LARGE = "“{name}” is too large: each photo can be at most {limit} MB."
TOO_MANY_PIXELS = "“{name}” has too many pixels: photos can be at most {limit} megapixels."
UNREADABLE = "“{name}” could not be read as an image: the file may be damaged or incomplete."
TOO_MANY_PHOTOS = "You can attach at most {limit} {noun} at a time, and you chose {count}."


class EvidenceRejected(Exception):
    """An upload that cannot become evidence. `message` is shown to the user as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
        noun = "photo" if max_count == 1 else "photos"
        raise EvidenceRejected(TOO_MANY_PHOTOS.format(limit=max_count, noun=noun, count=count))


def process_photo(upload: UploadedFile, *, max_bytes: int, max_pixels: int) -> ProcessedPhoto:
    """Check, decode and re-encode one uploaded photo, or raise EvidenceRejected.

    The pixel limit in force is the lower of `max_pixels` and Pillow's global
    `Image.MAX_IMAGE_PIXELS`, which is read here and never changed.
    """
    name = display_name(upload.name)
    data = _read_limited(upload, name, max_bytes)
    clean = _fresh_rgb(_decode(data, name, max_pixels))
    content = _encode_jpeg(clean)
    return ProcessedPhoto(
        content=content,
        thumbnail=_encode_jpeg(_thumbnail(clean)),
        content_type="image/jpeg",
        extension="jpg",
        width=clean.width,
        height=clean.height,
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


def _read_limited(upload: UploadedFile, name: str, max_bytes: int) -> bytes:
    too_large = EvidenceRejected(TOO_LARGE.format(name=name, limit=_rounded(max_bytes / MEGABYTE)))
    if upload.size is not None and upload.size > max_bytes:
        raise too_large
    upload.seek(0)
    # Read one byte past the limit: `.size` comes from the upload handler, the bytes are the truth.
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _decode(data: bytes, name: str, max_pixels: int) -> Image.Image:
    """Fully decode the first frame under the pixel limit and return it upright."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched Pillow to fill truncated files with grey; evidence must be whole.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is on; refusing to accept evidence")
    limit = _pixel_limit(max_pixels)
    too_many_pixels = TOO_MANY_PIXELS.format(name=name, limit=_rounded(limit / 1_000_000))
    try:
        # Python 3.13's catch_warnings swaps the process-wide filter list, so it is not
        # thread-safe. That is acceptable here: another thread seeing this "error" filter only
        # refuses images Pillow already calls bombs, and if another thread restores the old list
        # mid-decode the warning is merely printed: our own size check below still refuses first.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=ACCEPTED_FORMATS) as im:
                # Image.open reads only the header: refuse before any pixel memory is allocated.
                if im.width * im.height > limit:
                    raise EvidenceRejected(too_many_pixels)
                im.load()  # decodes the current (first) frame; raises on a truncated file
                return _upright(im)
    except EvidenceRejected:
        raise
    except UnidentifiedImageError as exc:
        raise EvidenceRejected(NOT_A_PHOTO.format(name=name)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise EvidenceRejected(too_many_pixels) from exc
    except Exception as exc:
        # Decoders raise OSError, SyntaxError, ValueError, struct.error, EOFError, ... on bad
        # input; for the user they all mean the same thing.
        logger.info("evidence photo unreadable: %s: %s", type(exc).__name__, exc)
        raise EvidenceRejected(UNREADABLE.format(name=name)) from exc


def _pixel_limit(max_pixels: int) -> int:
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return max_pixels if pillow_limit is None else min(max_pixels, pillow_limit)


def _upright(im: Image.Image) -> Image.Image:
    """Apply the EXIF orientation: once the tag is stripped, phone photos would show sideways."""
    try:
        return ImageOps.exif_transpose(im)
    except Exception as exc:
        # A damaged EXIF block should not cost the user the photo: keep it as stored.
        logger.info("evidence photo EXIF orientation ignored: %s: %s", type(exc).__name__, exc)
        return im.copy()


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
    return im.convert("RGB")


def _thumbnail(clean: Image.Image) -> Image.Image:
    thumb = clean.copy()
    thumb.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
    return thumb


def _encode_jpeg(im: Image.Image) -> bytes:
    # Explicit options only: no exif=, icc_profile=, xmp= or comment= is ever passed.
    buffer = BytesIO()
    im.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def _rounded(value: float) -> str:
    """10.0 -> "10", 89.478485 -> "89.5": limits read as people write them."""
    return f"{round(value, 1):g}"
