"""Demo pictures drawn with Pillow, so the demo needs no downloaded files."""

import hashlib
import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model


def _draw(palette: tuple[str, str], shapes: str) -> PILImage.Image:
    width, height = 1200, 800
    top, bottom = (PILImage.new("RGB", (1, 1), c).getpixel((0, 0)) for c in palette)
    picture = PILImage.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    if shapes == "street":
        draw.polygon([(450, 800), (750, 800), (640, 380), (560, 380)], fill="#5b6470")
        for x in (120, 980):
            draw.rectangle([x, 300, x + 160, 700], fill="#d9dde3", outline="#7b8794", width=4)
    elif shapes == "clutter":
        draw.polygon([(450, 800), (750, 800), (640, 380), (560, 380)], fill="#5b6470")
        for i, x in enumerate(range(300, 900, 90)):
            draw.rectangle([x, 560 + (i % 3) * 30, x + 70, 640 + (i % 3) * 30], fill="#c0392b")
    elif shapes == "green":
        for x in range(60, 1200, 180):
            draw.ellipse([x, 380, x + 150, 530], fill="#2e7d32")
            draw.rectangle([x + 68, 520, x + 82, 640], fill="#6d4c41")
    return picture


def demo_image(title: str, palette: tuple[str, str], shapes: str):
    """Return the Wagtail image with this title, drawing and saving it the first time."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    _draw(palette, shapes).save(buffer, format="JPEG", quality=82)
    filename = f"demo-{hashlib.sha256(title.encode()).hexdigest()[:12]}.jpg"
    image = Image(title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=filename))
    image.save()
    return image
