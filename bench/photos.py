"""Benchmark of the evidence photo pipeline against Pillow's bare decode + resize + encode (not a
test: `python -m bench.photos`, or `make bench`).

Inputs are generated here, as a phone, a camera or a screen would make them: a 12 MP and a 49 MP
camera JPEG, a 5K PNG screenshot, a 12 MP WebP and a 12 MP HEIC (encoded with Debian's heif-enc; the
product only decodes, with pi-heif). Each case goes through
`disputes.evidence.process_photo` with the settings' limits and through the bare path
(`Image.open`, `convert("RGB")`, `resize` to the same size with Lanczos, `save` as JPEG at the
same quality), and reports:

- time: the best of `--repeat` runs of each, alternating in one subprocess so that both see the
  same machine; the ratio is pipeline ÷ bare (target ≤ 1.3);
- peak memory: growth of the peak RSS over one run, each path in its own subprocess, the input
  bytes already read;
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

import pi_heif
from PIL import Image, ImageDraw, ImageFont

from bench.heic import heic_encoded

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

MB = 1024 * 1024

pi_heif.register_heif_opener()  # as disputes.evidence does; `bare` opens HEIC too


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
        quality = options.get("quality", 60)
        return heic_encoded(im, quality if isinstance(quality, int) else 60)
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


# --- Measurements, each in a fresh process --------------------------------------------------------


def _limits() -> dict[str, int]:
    from django.conf import settings

    evidence = settings.PARLEY_EVIDENCE
    return {
        "max_bytes": evidence["max_bytes"],
        "max_pixels": evidence["max_pixels"],
        "max_dimension": evidence["max_dimension"],
        "quality": evidence["jpeg_quality"],
    }


def pipeline(data: bytes, limits: dict[str, int]) -> int:
    """The product's path; returns the stored size."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from disputes.evidence import process_photo

    return len(process_photo(SimpleUploadedFile("photo", data), **limits).content)


def bare(data: bytes, limits: dict[str, int]) -> int:
    """Pillow with its defaults: full decode, Lanczos to the same size, JPEG at the same quality."""
    from disputes.evidence import _fit

    im = Image.open(BytesIO(data)).convert("RGB")
    box = (limits["max_dimension"], limits["max_dimension"])
    im = im.resize(_fit(im.size, box), Image.Resampling.LANCZOS)
    buffer = BytesIO()
    im.save(buffer, format="JPEG", quality=limits["quality"])
    return len(buffer.getvalue())


RUNS = {"pipeline": pipeline, "bare": bare}


def time_both(data: bytes, repeat: int) -> dict[str, float]:
    """Best of `repeat` runs of each, alternating, so that both see the same machine."""
    limits = _limits()
    best = dict.fromkeys(RUNS, float("inf"))
    for _ in range(repeat):
        for how, run in RUNS.items():
            started = time.perf_counter()
            run(data, limits)
            best[how] = min(best[how], time.perf_counter() - started)
    return best


def peak_of(data: bytes, how: str) -> dict[str, float]:
    """Growth of peak RSS over one run (the input already in memory) and the stored size."""
    limits = _limits()
    before = reset_peak_rss_kb()
    stored = RUNS[how](data, limits)
    return {"peak_mb": (peak_rss_kb() - before) / 1024, "stored": stored}


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


def in_subprocess(what: str, path: Path, repeat: int = 1) -> dict[str, float]:
    command = [sys.executable, "-m", "bench.photos", "--child", what, str(path)]
    command += ["--repeat", str(repeat)]
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(what: str, path: str, repeat: int) -> None:
    data = Path(path).read_bytes()
    result = time_both(data, repeat) if what == "time" else peak_of(data, what)
    print(json.dumps(result))


# --- The table -----------------------------------------------------------------------------------

HEADER = (
    f"{'case':<19}{'input':>11}{'upload':>9}{'pipeline':>10}{'bare':>8}{'ratio':>7}"
    f"{'peak MB':>9}{'bare MB':>9}{'stored':>9}{'÷ up':>7}"
)


def row(name: str, path: Path, repeat: int) -> tuple[str, float, float]:
    with Image.open(path) as probe:
        shape = f"{probe.width}×{probe.height}"
    uploaded = path.stat().st_size
    times = in_subprocess("time", path, repeat)
    ours, theirs = in_subprocess("pipeline", path), in_subprocess("bare", path)
    ratio, growth = times["pipeline"] / times["bare"], ours["stored"] / uploaded
    line = (
        f"{name:<19}{shape:>11}{uploaded / MB:>7.2f}MB"
        f"{times['pipeline'] * 1000:>8.0f}ms{times['bare'] * 1000:>6.0f}ms{ratio:>6.2f}×"
        f"{ours['peak_mb']:>9.0f}{theirs['peak_mb']:>9.0f}"
        f"{ours['stored'] / MB:>7.2f}MB{growth:>6.2f}×"
    )
    return line, ratio, growth


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (best kept)")
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, path = args.child
        child(what, path, args.repeat)
        return
    print(HEADER)
    worst_time = worst_bytes = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            path = Path(folder) / "input"
            path.write_bytes(make())
            line, ratio, growth = row(name, path, args.repeat)
            print(line, flush=True)
            worst_time, worst_bytes = max(worst_time, ratio), max(worst_bytes, growth)
    print(
        f"worst time ratio {worst_time:.2f}× (target ≤ 1.3), "
        f"worst stored ÷ uploaded {worst_bytes:.2f}× (target ≤ 2)"
    )


if __name__ == "__main__":
    main()
