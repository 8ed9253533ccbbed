"""Evidence photos for the demo, drawn with Pillow and sent through the real pipeline."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from disputes.evidence import ProcessedPhoto, process_photo


def demo_photo(name: str, caption: str, colour: str) -> ProcessedPhoto:
    image = Image.new("RGB", (960, 720), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (180, 160, 780, 560), radius=36, fill="#f4efe6", outline="#3b3b3b", width=6
    )
    draw.line((300, 220, 520, 500), fill="#8b1e1e", width=10)  # the "crack"
    draw.text((210, 600), caption, fill="white", font_size=40)
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=88)
    upload = SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")
    return process_photo(upload, max_bytes=10 * 1024 * 1024, max_pixels=50_000_000)
