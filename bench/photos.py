"""Benchmark of the evidence photo pipeline against Pillow's bare decode + resize + encode (not a
test: `python -m bench.photos`, or `make bench`).

Inputs are generated here, as a phone, a camera or a screen would make them: a 12 MP and a 49 MP
camera JPEG, a 5K PNG screenshot, a 12 MP WebP and a 12 MP HEIC (encoded with pillow-heif, a dev
dependency; the product only decodes, with pi-heif). Each case runs in its own subprocess, once
through `disputes.evidence.process_photo` with the settings' limits and once through the bare
path (`Image.open`, `convert("RGB")`, `resize` to the same size with Lanczos, `save` as JPEG at
the same quality), and reports:

- time: the best of `--repeat` runs; the ratio is pipeline ÷ bare (target ≤ 1.3);
- peak memory: growth of the subprocess's maximum RSS over the run, the input bytes already read;
- stored ÷ uploaded bytes for the pipeline (target ≤ 2).

The pipeline also checks, decodes under limits, turns upright, strips metadata, makes and
encodes a thumbnail and hashes the result; the bare path does none of that.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MB = 1024 * 1024


# --- Inputs ---------------------------------------------------------------------------------------


def scene(size: tuple[int, int], seed: int = 1, detail: float = 0.15) -> Image.Image:
    """A photo-like RGB image: soft colour fields, texture at several scales, sensor noise. It
    compresses like a photo (a 12 MP JPEG at quality 92 is about 4 MB), not like a flat fill."""
    rnd = random.Random(seed)
    luma = None
    for divisor, weight in ((64, 1.0), (16, 0.5), (4, 0.3), (1, 0.2)):
        small = (max(2, size[0] // divisor), max(2, size[1] // divisor))
        layer = Image.effect_noise(small, 60).resize(size, Image.Resampling.BICUBIC)
        luma = layer if luma is None else Image.blend(luma, layer, weight / (1 + weight))
    assert luma is not None
    tints = [Image.linear_gradient("L").rotate(rnd.randrange(360)).resize(size) for _ in range(3)]
    im = Image.merge("RGB", [Image.blend(luma, tint, 0.35) for tint in tints])
    grain = Image.effect_noise(size, 40)
    return Image.blend(im, Image.merge("RGB", [grain] * 3), detail)


def screenshot(size: tuple[int, int], seed: int = 2) -> Image.Image:
    """A UI screenshot: a header bar, cards of text on a light background, a few buttons."""
    rnd = random.Random(seed)
    width, height = size
    s = width / 1440  # drawn for a 1440-point wide screen, at this pixel density
    im = Image.new("RGB", size, (246, 247, 249))
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, width, int(64 * s)), fill=(32, 56, 100))
    body = ImageFont.load_default(size=max(10, int(15 * s)))
    title = ImageFont.load_default(size=max(12, int(22 * s)))
    draw.text((int(24 * s), int(18 * s)), "Parley · Case D-0042", font=title, fill="white")
    words = [
        "the",
        "vase",
        "arrived",
        "broken",
        "seller",
        "says",
        "it",
        "was",
        "packed",
        "well",
        "photos",
        "attached",
    ]
    y = int(96 * s)
    while y < height - 60 * s:
        card = int(rnd.randrange(90, 220) * s)
        box = (int(24 * s), y, width - int(24 * s), y + card)
        draw.rounded_rectangle(box, radius=int(8 * s), fill="white", outline=(220, 223, 228))
        for line_y in range(y + int(14 * s), y + card - int(24 * s), int(22 * s)):
            line = " ".join(rnd.choice(words) for _ in range(rnd.randrange(6, 18)))
            draw.text((int(44 * s), line_y), line, font=body, fill=(40, 44, 52))
        if rnd.random() < 0.3:
            button = (width - int(180 * s), y + int(12 * s), width - int(44 * s), y + int(44 * s))
            draw.rounded_rectangle(button, radius=int(6 * s), fill=(37, 99, 235))
        y += card + int(16 * s)
    return im


def encoded(im: Image.Image, fmt: str, **options: object) -> bytes:
    if fmt == "HEIF":
        import pillow_heif  # dev only: its wheels bundle the (GPL) x265 encoder

        buffer = BytesIO()
        pillow_heif.from_pillow(im).save(buffer, enc_params={"preset": "ultrafast"}, **options)
        return buffer.getvalue()
    buffer = BytesIO()
    im.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _upscaled(im: Image.Image, factor: int) -> Image.Image:
    return im.resize((im.width * factor, im.height * factor), Image.Resampling.BICUBIC)


CASES = {
    "12 MP camera JPEG": lambda: encoded(scene((4000, 3000)), "JPEG", quality=92),
    # A 48 MP phone sensor (quad Bayer) resolves about 12 MP of detail: upscaled, like its JPEGs.
    "49 MP camera JPEG": lambda: encoded(_upscaled(scene((4288, 2859), 4), 2), "JPEG", quality=88),
    "5K PNG screenshot": lambda: encoded(screenshot((5120, 2880)), "PNG", optimize=True),
    "12 MP WebP": lambda: encoded(scene((4000, 3000), 3), "WEBP", quality=80),
    "12 MP HEIC": lambda: encoded(scene((4032, 3024), 5), "HEIF", quality=60),
}


# --- One measurement, in a fresh process ---------------------------------------------------------


def _limits() -> dict[str, int]:
    from django.conf import settings

    evidence = settings.PARLEY_EVIDENCE
    return {
        "max_bytes": evidence["max_bytes"],
        "max_pixels": evidence["max_pixels"],
        "max_dimension": evidence["max_dimension"],
        "quality": evidence["jpeg_quality"],
    }


def _pipeline(data: bytes, limits: dict[str, int]) -> int:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disputes.evidence import process_photo

    return len(process_photo(SimpleUploadedFile("photo", data), **limits).content)


def _bare(data: bytes, limits: dict[str, int]) -> int:
    from disputes.evidence import _fit

    im = Image.open(BytesIO(data)).convert("RGB")
    box = (limits["max_dimension"], limits["max_dimension"])
    im = im.resize(_fit(im.size, box), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    im.save(buffer, format="JPEG", quality=limits["quality"])
    return len(buffer.getvalue())


def measure(path: str, how: str, repeat: int) -> dict[str, float]:
    """Run `how` ("pipeline" or "bare") on the file `repeat` times in this process."""
    import pi_heif

    pi_heif.register_heif_opener()
    run = _pipeline if how == "pipeline" else _bare
    limits = _limits()
    data = Path(path).read_bytes()
    before = reset_peak_rss_kb()
    best, stored = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        stored = run(data, limits)
        best = min(best, time.perf_counter() - started)
    peak_kb = peak_rss_kb() - before
    return {"seconds": best, "peak_mb": peak_kb / 1024, "stored": stored, "uploaded": len(data)}


def reset_peak_rss_kb() -> int:
    """Reset this process's peak RSS to its current RSS (Linux: "5" > clear_refs) and return it.

    `getrusage`'s ru_maxrss survives fork and exec, so a child would report its parent's peak.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kb("VmRSS")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_rss_kb() -> int:
    try:
        return _status_kb("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"no {field} in /proc/self/status")


def measure_in_subprocess(path: Path, how: str, repeat: int) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.photos", "--one", how, str(path), "--repeat"]
    out = subprocess.run([*command, str(repeat)], cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- The table -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("HOW", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one[1], args.one[0], args.repeat)))
        return
    print(
        f"{'case':<20}{'input':>13}{'pipeline':>10}{'bare':>8}{'ratio':>7}"
        f"{'peak MB':>9}{'bare MB':>9}{'stored':>9}{'÷ up':>7}"
    )
    worst_time = worst_bytes = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "input"
            path.write_bytes(make())
            with Image.open(path) if not name.endswith("HEIC") else _heif(path) as probe:
                shape = f"{probe.width}×{probe.height}"
            ours = measure_in_subprocess(path, "pipeline", args.repeat)
            bare = measure_in_subprocess(path, "bare", args.repeat)
            ratio = ours["seconds"] / bare["seconds"]
            growth = ours["stored"] / ours["uploaded"]
            worst_time, worst_bytes = max(worst_time, ratio), max(worst_bytes, growth)
            print(
                f"{name:<20}{shape:>13}{ours['seconds'] * 1000:>8.0f}ms{bare['seconds'] * 1000:>6.0f}ms"
                f"{ratio:>6.2f}×{ours['peak_mb']:>9.0f}{bare['peak_mb']:>9.0f}"
                f"{ours['stored'] / MB:>7.2f}MB{growth:>6.2f}×"
            )
    print(
        f"worst time ratio {worst_time:.2f}× (target ≤ 1.3), "
        f"worst stored ÷ uploaded {worst_bytes:.2f}× (target ≤ 2)"
    )


def _heif(path: Path) -> Image.Image:
    import pi_heif

    pi_heif.register_heif_opener()
    return Image.open(path)


if __name__ == "__main__":
    main()
