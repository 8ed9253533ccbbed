"""HEIC samples for the photo tests and bench, made with Debian's `heif-enc` (libheif-examples).

The product only decodes HEIC (pi-heif, whose wheels carry no encoder); pillow-heif could encode
but its wheels bundle the GPL x265 encoder, so it is not a dependency even for development.
"""

import subprocess
import tempfile
from pathlib import Path

from PIL import Image


def heic_encoded(im: Image.Image, quality: int = 60) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "in.png", Path(folder) / "out.heic"
        im.convert("RGB").save(source)
        subprocess.run(
            ["heif-enc", "-q", str(quality), "-o", str(target), str(source)],
            check=True,
            capture_output=True,
        )
        return target.read_bytes()
