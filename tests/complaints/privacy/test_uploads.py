import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from complaints.privacy.uploads import PhotoRejected, photo_sanitise
from tests.complaints.conftest import jpeg_bytes


def upload(name, content):
    return SimpleUploadedFile(name, content, "image/jpeg")


def test_gps_exif_is_removed():
    original = jpeg_bytes(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture has GPS
    clean = photo_sanitise(upload=upload("gps.jpg", original))
    image = Image.open(io.BytesIO(clean.content))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert b"PhoneModel" not in clean.content and b"Exif" not in clean.content


def test_large_image_is_resized_to_2048():
    clean = photo_sanitise(upload=upload("big.jpg", jpeg_bytes((4000, 3000))))
    assert (clean.width, clean.height) == (2048, 1536)


def test_png_with_alpha_becomes_jpeg():
    out = io.BytesIO()
    Image.new("RGBA", (100, 50), (0, 0, 255, 128)).save(out, format="PNG")
    clean = photo_sanitise(upload=upload("a.png", out.getvalue()))
    assert Image.open(io.BytesIO(clean.content)).mode == "RGB"


def test_webp_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, format="WEBP")
    assert photo_sanitise(upload=upload("a.webp", out.getvalue())).width == 64


def test_heic_is_accepted_when_pillow_heif_is_installed():
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    try:
        pillow_heif.from_pillow(Image.new("RGB", (64, 48), (9, 9, 9))).save(out, quality=50)
    except (RuntimeError, ValueError, OSError) as exc:  # no HEVC encoder in this build
        pytest.skip(f"pillow-heif cannot encode here: {exc}")
    assert photo_sanitise(upload=upload("a.heic", out.getvalue())).width == 64


@pytest.mark.parametrize(
    "content",
    [
        b"<?php echo 'x'; ?>",
        b"GIF89a" + b"\0" * 100,
        b"\xff\xd8\xff\xe0" + b"\0" * 100,  # a JPEG header and nothing after it
        b"%PDF-1.4\n",
    ],
)
def test_non_photos_are_refused(content):
    with pytest.raises(PhotoRejected):
        photo_sanitise(upload=upload("x.jpg", content))


def test_gif_is_refused_even_though_pillow_reads_it():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, format="GIF")
    with pytest.raises(PhotoRejected):
        photo_sanitise(upload=upload("x.jpg", out.getvalue()))


def test_byte_limit(settings):
    settings.COMPLAINTS_PHOTO_MAX_BYTES = 1000
    with pytest.raises(PhotoRejected, match=r"big\.jpg"):
        photo_sanitise(upload=upload("big.jpg", jpeg_bytes((800, 800))))
