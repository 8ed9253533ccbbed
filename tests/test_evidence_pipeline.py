"""The evidence photo pipeline, on real image bytes made here in memory. No database."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageDraw, ImageFile, ImageFont

from bench.heic import heic_encoded
from bench.photos import scene, screenshot
from disputes.evidence import (
    EvidenceRejected,
    ProcessedPhoto,
    check_photo_batch,
    display_name,
    process_photo,
)

MB = 1024 * 1024
LIMITS = {"max_bytes": 10 * MB, "max_pixels": 40_000_000}
RED, BLUE = (200, 30, 30), (30, 30, 200)
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F

# A 64x48 HEIC (left half red, right half blue) whose EXIF carries a GPS position, as iPhone photos
# do. pi-heif 1.4.0 cannot encode (its wheels ship no HEVC encoder), so it was made once with
# Debian 12's libheif-examples: a Pillow JPEG with GPS EXIF, then `heif-enc -q 40 -o tiny.heic`.
HEIC_WITH_GPS = base64.b64decode(
    "AAAAHGZ0eXBoZWljAAAAAG1pZjFoZWljbWlhZgAAAeFtZXRhAAAAAAAAACFoZGxyAAAAAAAAAABwaWN0AAAAAAAA"
    "AAAAAAAAAAAAAA5waXRtAAAAAAACAAAAEGlkYXQAAAAAAEAAMAAAAExpbG9jAQAAAERAAAMAAQAAAAAAAAIFAAEA"
    "AAAAAAAAPAACAAEAAAAAAAAAAQAAAAAAAAAIAAMAAAAAAAACQQABAAAAAAAAAJ4AAABNaWluZgAAAAAAAwAAABVp"
    "bmZlAgAAAQABAABodmMxAAAAABVpbmZlAgAAAAACAABncmlkAAAAABVpbmZlAgAAAQADAABFeGlmAAAAANVpcHJw"
    "AAAAs2lwY28AAABzaHZjQwEDcAAAAAAAAAAAAB7wAPz9+PgAAA8DIAABABhAAQwB//8DcAAAAwCQAAADAAADAB66"
    "AkAhAAEAJ0IBAQNwAAADAJAAAAMAAAMAHqAggQWW6uSmubAgAAADACAAAAMAISIAAQAGRAHBc8CJAAAAFGlzcGUA"
    "AAAAAAAAQAAAAEAAAAAUaXNwZQAAAAAAAABAAAAAMAAAABBwaXhpAAAAAAMICAgAAAAaaXBtYQAAAAAAAAACAAEC"
    "gQIAAgIDhAAAAChpcmVmAAAAAAAAAA5kaW1nAAIAAQABAAAADmNkc2MAAwABAAIAAADibWRhdAAAADgoAa9Y5vTq"
    "v//la7/+o/yHyf3ZLDITa/2xJrEU6sv+7Mck4+OjU9fa64zwLz/cUVUasIqWVYi9GAAAAABNTQAqAAAACAACAQ8A"
    "AgAAAA4AAAAmiCUABAAAAAEAAAA0AAAAAFBhcmxleVRlc3RDYW0AAAQAAQACAAAAAk4AAAAAAgAFAAAAAwAAAGoA"
    "AwACAAAAAlcAAAAABAAFAAAAAwAAAIIAAAAAAAAAMwAAAAEAAAAeAAAAAQAAAAAAAAABAAAAAAAAAAEAAAAHAAAA"
    "AQAAAAAAAAAB"
)


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def two_tone(size: tuple[int, int] = (60, 40), mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue: shows which way a rotation went."""
    im = Image.new(mode, size, RED)
    ImageDraw.Draw(im).rectangle((size[0] // 2, 0, size[0], size[1]), fill=BLUE)
    return im


def encode(im: Image.Image, fmt: str, **options) -> bytes:
    buffer = BytesIO()
    im.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "ParleyTestCam"
    if orientation:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    return exif


def png_of_size(width: int, height: int) -> bytes:
    """A valid, tiny 1-bit PNG of any size, built chunk by chunk: no pixel buffer is allocated."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    row = bytes(1 + (width + 7) // 8)  # filter byte + packed bits, all zero
    compressor = zlib.compressobj(9)
    # 100 rows per call keeps the loop short without building the whole 50 MB scanline buffer.
    blocks, rest = divmod(height, 100)
    idat = b"".join(compressor.compress(row * 100) for _ in range(blocks))
    idat += compressor.compress(row * rest)
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def reopen(content: bytes) -> Image.Image:
    im = Image.open(BytesIO(content))
    im.load()
    return im


def assert_no_metadata(content: bytes) -> None:
    im = reopen(content)
    assert im.format == "JPEG"
    assert dict(im.getexif()) == {}
    assert not {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"} & set(im.info)
    assert b"Exif" not in content and b"ParleyTestCam" not in content


def assert_close(pixel: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> None:
    assert all(abs(a - b) <= tolerance for a, b in zip(pixel, expected, strict=True)), pixel


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any file-backed image gets its pixels decoded."""
    calls: list[str] = []

    def spy(self):
        calls.append(self.format)
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return calls


def test_valid_jpeg_passes():
    result = process_photo(upload(encode(two_tone((640, 480)), "JPEG")), **LIMITS)

    assert isinstance(result, ProcessedPhoto)
    assert (result.width, result.height) == (640, 480)
    assert result.content_type == "image/jpeg" and result.extension == "jpg"
    assert result.sha256 == hashlib.sha256(result.content).hexdigest()
    assert result.original_name == "photo.jpg"
    assert reopen(result.content).size == (640, 480)
    assert "content=" not in repr(result)  # megabytes of bytes stay out of logs and tracebacks


def test_jpeg_loses_exif_xmp_icc_and_comment():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    source = encode(
        two_tone(), "JPEG", exif=gps_exif(), xmp=xmp, icc_profile=icc, comment=b"ParleyTestCam"
    )
    assert Image.open(BytesIO(source)).getexif().get_ifd(GPS_IFD)  # the fixture does carry GPS

    assert_no_metadata(process_photo(upload(source), **LIMITS).content)


def test_png_with_gps_exif_is_stripped_and_turned_upright():
    source = encode(two_tone((60, 40)), "PNG", exif=gps_exif(orientation=6))
    assert Image.open(BytesIO(source)).getexif()[ORIENTATION] == 6

    result = process_photo(upload(source, "IMG_0001.png"), **LIMITS)

    assert (result.width, result.height) == (40, 60)
    assert_no_metadata(result.content)
    # Orientation 6 means "turn 90° clockwise to view": the red left half ends up on top.
    out = reopen(result.content)
    assert_close(out.getpixel((20, 5)), RED)
    assert_close(out.getpixel((20, 55)), BLUE)


def test_heic_decodes_and_loses_its_gps():
    source = Image.open(BytesIO(HEIC_WITH_GPS), formats=["HEIF"])
    assert source.getexif().get_ifd(GPS_IFD)  # the fixture does carry GPS

    result = process_photo(upload(HEIC_WITH_GPS, "IMG_4242.HEIC"), **LIMITS)

    assert (result.width, result.height) == (64, 48)
    assert_no_metadata(result.content)
    out = reopen(result.content)
    assert_close(out.getpixel((8, 24)), RED)
    assert_close(out.getpixel((56, 24)), BLUE)


def test_webp_passes():
    result = process_photo(upload(encode(two_tone(), "WEBP", quality=90), "x.webp"), **LIMITS)

    assert (result.width, result.height) == (60, 40)
    assert reopen(result.content).format == "JPEG"


def test_animated_webp_keeps_the_first_frame():
    first, second = Image.new("RGB", (32, 32), RED), Image.new("RGB", (32, 32), BLUE)
    source = encode(first, "WEBP", save_all=True, append_images=[second], lossless=True)
    assert Image.open(BytesIO(source)).n_frames == 2

    result = process_photo(upload(source, "anim.webp"), **LIMITS)

    assert_close(reopen(result.content).getpixel((16, 16)), RED)


def test_text_file_named_jpg_is_refused():
    with pytest.raises(EvidenceRejected) as excinfo:
        process_photo(upload(b"Dear seller,\nthe vase arrived broken.\n", "photo.jpg"), **LIMITS)

    assert excinfo.value.message == (
        "“photo.jpg” is not a photo: only JPEG, PNG, WebP and HEIC images are accepted."
    )


def test_gif_is_refused_even_though_pillow_could_read_it():
    with pytest.raises(EvidenceRejected, match=re.escape("“cat.gif” is not a photo")):
        process_photo(upload(encode(two_tone(), "GIF"), "cat.gif"), **LIMITS)


def test_truncated_jpeg_is_refused():
    whole = encode(Image.effect_noise((256, 256), 64).convert("RGB"), "JPEG")

    with pytest.raises(EvidenceRejected) as excinfo:
        process_photo(upload(whole[: len(whole) // 2], "half.jpg"), **LIMITS)

    assert excinfo.value.message.startswith("“half.jpg” could not be read as an image")


def test_truncation_guard_refuses_to_run_if_pillow_accepts_truncated_files(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError, match="LOAD_TRUNCATED_IMAGES"):
        process_photo(upload(encode(two_tone(), "JPEG")), **LIMITS)


def test_decompression_bomb_is_refused_without_decoding(no_decoding):
    bomb = png_of_size(20_000, 20_000)  # 400 megapixels in about 50 kB
    assert len(bomb) < 100_000

    started = time.perf_counter()
    with pytest.raises(EvidenceRejected) as excinfo:
        process_photo(upload(bomb, "bomb.png"), **LIMITS)

    assert time.perf_counter() - started < 0.5
    assert excinfo.value.message == (
        "“bomb.png” has too many pixels: photos can be at most 40 megapixels."
    )
    assert no_decoding == []


def test_image_over_our_pixel_limit_is_refused_before_decoding(no_decoding):
    # 64 Mpx: under Pillow's own bomb limits (89 Mpx warning), over ours.
    with pytest.raises(EvidenceRejected, match="at most 40 megapixels"):
        process_photo(upload(png_of_size(8_000, 8_000), "big.png"), **LIMITS)

    assert no_decoding == []


def test_pillow_bomb_warning_is_an_error_even_with_a_higher_limit(no_decoding):
    # 100 Mpx: only warned about by Pillow (limit 89.5 Mpx), allowed by the caller's 200 Mpx.
    with pytest.raises(EvidenceRejected, match=re.escape("at most 89.5 megapixels")):
        process_photo(
            upload(png_of_size(10_000, 10_000)), max_bytes=10 * MB, max_pixels=200_000_000
        )

    assert no_decoding == []


def test_file_over_the_byte_limit_is_refused_by_size():
    content = os.urandom(11 * MB)

    with pytest.raises(EvidenceRejected) as excinfo:
        process_photo(upload(content, "huge.jpg"), **LIMITS)

    assert excinfo.value.message == "“huge.jpg” is too large: each photo can be at most 10 MB."


def test_bytes_over_the_limit_are_refused_even_if_size_says_otherwise():
    lying = upload(encode(Image.effect_noise((512, 512), 64).convert("RGB"), "PNG"), "a.png")
    max_bytes = lying.size - 1
    lying.size = 10

    with pytest.raises(EvidenceRejected, match=re.escape("“a.png” is too large")):
        process_photo(lying, max_bytes=max_bytes, max_pixels=40_000_000)


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("RGBA", (40, 40), (255, 0, 0, 0)), id="rgba"),
        pytest.param(Image.new("LA", (40, 40), (0, 0)), id="grey-alpha"),
        pytest.param(Image.new("P", (40, 40), 0), id="palette-transparency"),
    ],
)
def test_transparent_png_is_flattened_onto_white(image):
    options = {"transparency": 0} if image.mode == "P" else {}
    opaque = Image.new("RGBA", (10, 10), (0, 0, 255, 255)).convert(image.mode)
    image = image.copy()
    if image.mode != "P":
        image.paste(opaque, (0, 0))

    result = process_photo(upload(encode(image, "PNG", **options), "t.png"), **LIMITS)

    out = reopen(result.content)
    assert out.mode == "RGB"
    assert_close(out.getpixel((30, 30)), (255, 255, 255), tolerance=3)
    if image.mode != "P":
        assert out.getpixel((3, 3)) != out.getpixel((30, 30))  # the opaque corner survived


def test_sixteen_bit_greyscale_png_is_not_clipped_to_white():
    source = encode(Image.new("I;16", (16, 16), 40_000), "PNG")  # about 61% grey

    out = reopen(process_photo(upload(source, "scan.png"), **LIMITS).content)

    assert_close(out.getpixel((8, 8)), (156, 156, 156), tolerance=3)


def test_thumbnail_fits_the_box_and_has_no_metadata():
    source = encode(two_tone((2000, 1000)), "JPEG", exif=gps_exif())

    result = process_photo(upload(source), **LIMITS)

    thumb = reopen(result.thumbnail)
    assert thumb.size == (320, 160)
    assert_no_metadata(result.thumbnail)


def test_batch_over_the_limit_is_refused():
    photos = [upload(b"x", f"{i}.jpg") for i in range(11)]

    with pytest.raises(EvidenceRejected) as excinfo:
        check_photo_batch(photos, max_count=10)

    assert excinfo.value.message == "You can attach at most 10 photos at a time, and you chose 11."
    check_photo_batch(photos[:10], max_count=10)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C:\\Users\\bea\\Pictures\\vase.jpg", "vase.jpg"),
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("evil\u202egpj.exe", "evilgpj.exe"),
        ("", "photo"),
        (None, "photo"),
    ],
)
def test_display_name_drops_paths_and_control_characters(raw, expected):
    assert display_name(raw) == expected


def test_long_names_are_trimmed_to_200_characters_keeping_the_extension():
    name = display_name("x" * 300 + ".jpeg")

    assert len(name) == 200
    assert name.endswith("x.jpeg")


# --- Bounded size, memory and time (hardening finding 8) -----------------------------------------


def letter_scan(size: tuple[int, int] = (5000, 7000)) -> bytes:
    """A 1-bit PNG of a typed letter at scanner resolution: ~0.4 MB, but 35 megapixels of sharp
    edges. Stored in full as JPEG it was 5.7 MB (the audit's 181 KB PNG became 9.3 MB)."""
    im = Image.new("1", size, 1)
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=40)
    for line, y in enumerate(range(100, size[1] - 100, 60)):
        draw.text((100, y), f"{line:03} The vase arrived broken; the box was dry. " * 3, font=font)
    return encode(im, "PNG", optimize=True)


def heic(im: Image.Image, quality: int = 60) -> bytes:
    if shutil.which("heif-enc") is None:
        pytest.skip("heif-enc (Debian's libheif-examples) makes the HEIC samples")
    return heic_encoded(im, quality)


REALISTIC = {
    "camera-jpeg": lambda: encode(scene((3000, 2000)), "JPEG", quality=92),
    "screenshot-png": lambda: encode(screenshot((2880, 1800)), "PNG", optimize=True),
    "letter-scan-png": letter_scan,
    "webp": lambda: encode(scene((3000, 2000), 3), "WEBP", quality=80),
    "heic": lambda: heic(scene((2016, 1512), 5)),
}


@pytest.mark.parametrize("kind", REALISTIC)
def test_stored_photo_is_at_most_twice_the_upload(kind):
    source = REALISTIC[kind]()

    result = process_photo(upload(source, f"sample.{kind}"), **LIMITS)

    assert len(result.content) <= 2 * len(source), (len(result.content), len(source))
    assert max(result.width, result.height) <= 2560
    assert reopen(result.content).size == (result.width, result.height)


def test_stored_photo_fits_the_maximum_dimension():
    source = encode(two_tone((4000, 3000)), "JPEG")

    result = process_photo(upload(source), **LIMITS, max_dimension=1000)

    assert (result.width, result.height) == (1000, 750)
    assert reopen(result.content).size == (1000, 750)
    assert reopen(result.thumbnail).size == (320, 240)
    out = reopen(result.content)
    assert_close(out.getpixel((100, 375)), RED)
    assert_close(out.getpixel((900, 375)), BLUE)


def test_quality_is_the_callers():
    source = encode(scene((800, 600)), "PNG")

    low = process_photo(upload(source, "a.png"), **LIMITS, quality=40)
    high = process_photo(upload(source, "a.png"), **LIMITS, quality=92)

    assert (
        reopen(low.content).quantization
        == reopen(encode(scene((8, 8)), "JPEG", quality=40)).quantization
    )
    assert len(low.content) < len(high.content)


def test_large_rotated_photo_is_scaled_then_turned_upright_and_stripped():
    source = encode(two_tone((4000, 3000)), "JPEG", exif=gps_exif(orientation=6))

    result = process_photo(upload(source), **LIMITS, max_dimension=1000)

    assert (result.width, result.height) == (750, 1000)
    assert_no_metadata(result.content)
    out = reopen(result.content)
    assert_close(out.getpixel((375, 100)), RED)
    assert_close(out.getpixel((375, 900)), BLUE)


@pytest.fixture
def loaded_sizes(monkeypatch):
    """The (format, size) of every file-backed image at the moment its pixels are decoded."""
    sizes: list[tuple[str, tuple[int, int]]] = []
    original = ImageFile.ImageFile.load

    def spy(self):
        if self.format:
            sizes.append((self.format, self.size))
        return original(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    return sizes


def test_large_jpeg_is_decoded_at_a_reduced_scale(loaded_sizes):
    source = encode(two_tone((6000, 4000)), "JPEG")

    process_photo(upload(source), **LIMITS, max_dimension=1000)

    # libjpeg decodes at 1/4 scale directly: the full 24 megapixels are never in memory.
    assert loaded_sizes[0] == ("JPEG", (1500, 1000))


def test_other_formats_are_reduced_by_an_integer_factor_first(monkeypatch):
    factors: list[object] = []
    original = Image.Image.reduce

    def spy(self, factor, box=None):
        factors.append(factor)
        return original(self, factor, box)

    monkeypatch.setattr(Image.Image, "reduce", spy)

    process_photo(
        upload(encode(two_tone((6000, 6000)), "PNG"), "big.png"), **LIMITS, max_dimension=1000
    )

    # 6000 -> 3000 by averaging 2x2 blocks, then Lanczos from 3000 to 1000.
    assert factors == [(2, 2)]


def test_peak_memory_is_one_decoded_copy():
    """A 24-megapixel PNG decodes to 96 MB (Pillow keeps RGB as 4 bytes a pixel); three of them
    in one submission must cost one such copy and the smaller ones made from it (the old
    pipeline held four full copies of each)."""
    script = (
        "import sys, json; from pathlib import Path\n"
        "from django.core.files.uploadedfile import SimpleUploadedFile as F\n"
        "from bench.photos import reset_peak_rss_kb, peak_rss_kb\n"
        "from disputes.evidence import process_photo\n"
        "data = Path(sys.argv[1]).read_bytes()\n"
        "before = reset_peak_rss_kb()\n"
        "for _ in range(3):\n"
        "    process_photo(F('a.png', data), max_bytes=50 << 20, max_pixels=50_000_000)\n"
        "print(json.dumps((peak_rss_kb() - before) // 1024))\n"
    )
    gradient = Image.merge(
        "RGB", [Image.linear_gradient("L").rotate(a).resize((6000, 4000)) for a in (0, 90, 45)]
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.png"
        path.write_bytes(encode(gradient, "PNG"))
        del gradient
        out = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            cwd=Path(__file__).resolve().parents[1],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
            capture_output=True,
            text=True,
            check=True,
        )
    peak_mb = json.loads(out.stdout)
    decoded_mb = 6000 * 4000 * 4 / MB
    assert peak_mb < 1.75 * decoded_mb, peak_mb


def test_photo_fields_take_size_and_quality_from_settings(settings):
    from disputes.forms import PhotosField

    settings.PARLEY_EVIDENCE = {
        **settings.PARLEY_EVIDENCE,
        "max_dimension": 800,
        "jpeg_quality": 40,
    }
    source = encode(scene((1600, 1200)), "JPEG", quality=95)

    [result] = PhotosField().clean([upload(source)])

    stored = reopen(result.content)
    assert stored.size == (800, 600)
    assert stored.quantization == reopen(encode(scene((8, 8)), "JPEG", quality=40)).quantization
