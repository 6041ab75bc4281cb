"""Demo pictures drawn with Pillow, so the demo needs no downloaded files.

:func:`street_scene` draws a different street for every seed (sky, buildings, trees, road);
``after=False`` adds the problem (litter, a stall on the pavement, graffiti, a broken railing),
so a before/after pair shows the same street before and after the handling.
"""

import hashlib
import io
import random

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


# What the "before" picture shows, by the seed: a problem a resident would photograph.
PROBLEMS = ("litter", "stall", "graffiti", "railing")


def _mix(rng: random.Random, low: int, high: int) -> tuple[int, int, int]:
    return tuple(rng.randrange(low, high) for _ in range(3))  # type: ignore[return-value]


def street_scene(seed: int, *, after: bool, size: tuple[int, int] = (480, 320)) -> PILImage.Image:
    """The same street for a seed, with its problem (``after=False``) or handled (``True``)."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 - pictures, not secrets
    width, height = size
    horizon = int(height * rng.uniform(0.38, 0.5))
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    sky_top, sky_bottom = _mix(rng, 120, 200), _mix(rng, 210, 250)
    for y in range(horizon):
        t = y / max(horizon, 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(sky_top, sky_bottom, strict=True)),
        )
    draw.rectangle([0, horizon, width, height], fill=_mix(rng, 150, 190))  # pavement
    # Buildings along the horizon, each its own height and colour, with windows.
    x = 0
    while x < width:
        w = rng.randrange(width // 10, width // 4)
        top = horizon - rng.randrange(height // 8, int(height * 0.36))
        colour = _mix(rng, 170, 235)
        draw.rectangle([x, top, x + w, horizon], fill=colour, outline=(110, 118, 128))
        for wy in range(top + 8, horizon - 10, 18):
            for wx in range(x + 6, x + w - 10, 16):
                draw.rectangle([wx, wy, wx + 7, wy + 9], fill=(90, 110, 140))
        x += w + rng.randrange(0, 12)
    # The road, narrowing to the horizon, with its centre line.
    centre = width // 2 + rng.randrange(-width // 8, width // 8)
    draw.polygon(
        [
            (centre - width // 3, height),
            (centre + width // 3, height),
            (centre + 14, horizon),
            (centre - 14, horizon),
        ],
        fill=(88, 94, 104),
    )
    for y in range(horizon + 8, height, 22):
        draw.line([(centre, y), (centre, y + 10)], fill=(235, 235, 210), width=2)
    # Street trees on the pavement, left and right of the road.
    left_edge, right_edge = max(centre - width // 3, 40), min(centre + width // 3, width - 40)
    for _ in range(rng.randrange(1, 4)):
        tx = rng.choice(
            [
                rng.randrange(0, left_edge - 30 if left_edge > 30 else 1),
                rng.randrange(right_edge, width - 30),
            ]
        )
        ty = horizon + rng.randrange(4, max(5, (height - horizon) // 3))
        draw.rectangle([tx + 13, ty + 30, tx + 19, ty + 70], fill=(109, 76, 65))
        draw.ellipse([tx, ty, tx + 32, ty + 40], fill=(46, 125 + rng.randrange(40), 50))
    problem = PROBLEMS[seed % len(PROBLEMS)]
    if after:
        return picture
    # The problem stands on the pavement or the near edge of the road, in the foreground.
    side = rng.randrange(10, width - 130)
    base = height - rng.randrange(12, 40)
    if problem == "litter":
        for _ in range(9):
            lx, ly = side + rng.randrange(0, 90), base - rng.randrange(0, 40)
            draw.ellipse([lx, ly, lx + 26, ly + 18], fill=(rng.randrange(150, 220), 60, 40))
    elif problem == "stall":
        draw.rectangle([side, base - 40, side + 90, base], fill=(200, 160, 90))
        draw.pieslice([side - 10, base - 90, side + 100, base - 20], 180, 360, fill=(200, 40, 40))
        for i in range(4):
            draw.ellipse(
                [side + 8 + i * 20, base - 52, side + 22 + i * 20, base - 40], fill=(240, 150, 30)
            )
    elif problem == "graffiti":
        wall_x = rng.randrange(0, width - 120)
        wall_y = horizon - rng.randrange(30, 60)
        for _ in range(6):
            points = [
                (wall_x + rng.randrange(0, 110), wall_y + rng.randrange(0, 40)) for _ in range(4)
            ]
            draw.line(points, fill=(rng.randrange(150, 255), 20, rng.randrange(100, 255)), width=4)
    else:  # a broken railing along the pavement
        for i in range(8):
            rx = side + i * 14
            tilt = rng.randrange(-14, 14) if i % 3 == 1 else 0
            draw.line([(rx, base), (rx + tilt, base - 40)], fill=(60, 60, 60), width=3)
        draw.line([(side, base - 40), (side + 50, base - 40)], fill=(60, 60, 60), width=3)
        draw.line([(side + 70, base - 30), (side + 110, base - 40)], fill=(60, 60, 60), width=3)
    return picture


def demo_scene_image(title: str, seed: int, *, after: bool):
    """The Wagtail image with this title: a street of its own (see :func:`street_scene`), drawn
    and saved the first time. A campaign or case study takes a pair with one seed."""
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    street_scene(seed, after=after, size=(1200, 800)).save(buffer, format="JPEG", quality=82)
    filename = f"demo-{hashlib.sha256(title.encode()).hexdigest()[:12]}.jpg"
    image = Image(title=title, file=ImageFile(io.BytesIO(buffer.getvalue()), name=filename))
    image.save()
    return image
