"""Photo uploads: accepted by content, re-encoded, resized and stripped of all metadata.

The file name and the browser's content type are ignored: Pillow must recognise the bytes as
JPEG, PNG, WebP or HEIC/HEIF. The pixels are then drawn into a fresh image (orientation applied)
and saved as JPEG without EXIF, GPS, XMP or ICC data, so nothing the camera wrote survives.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF from iPhones, when pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_FORMATS = {"HEIF", "HEIC"}
except ImportError:  # pragma: no cover - optional
    HEIF_FORMATS = set()

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"} | HEIF_FORMATS
JPEG_QUALITY = 85


class PhotoRejected(ValueError):
    """The upload is not an acceptable photo; the message is shown to the resident."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int
    sha256: str
    content_type: str = "image/jpeg"
    extension: str = "jpg"


def photo_sanitise(*, upload, name: str = "") -> CleanPhoto:
    """Validate one uploaded file by content and return the re-encoded, stripped JPEG.

    Raises PhotoRejected with a message naming the file.
    """
    label = name or getattr(upload, "name", "") or _("the photo")
    max_bytes = settings.COMPLAINTS_PHOTO_MAX_BYTES
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise PhotoRejected(
            _("%(name)s is larger than %(limit)s. Please send a smaller photo.")
            % {"name": label, "limit": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PhotoRejected(
            _("%(name)s is larger than %(limit)s. Please send a smaller photo.")
            % {"name": label, "limit": filesizeformat(max_bytes)}
        )
    not_a_photo = PhotoRejected(
        _("%(name)s is not a photo we can read. Please send a JPEG, PNG, WebP or HEIC picture.")
        % {"name": label}
    )
    too_big = PhotoRejected(
        _("%(name)s has too many pixels (more than %(mp)s megapixels).")
        % {"name": label, "mp": settings.COMPLAINTS_PHOTO_MAX_PIXELS // 1_000_000}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise not_a_photo
            if image.width * image.height > settings.COMPLAINTS_PHOTO_MAX_PIXELS:
                raise too_big
            image.load()
    except PhotoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_big from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_a_photo from exc

    # Apply the EXIF orientation to the pixels, since the EXIF itself is dropped.
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    max_side = settings.COMPLAINTS_PHOTO_MAX_SIDE
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image carries pixels only: no info dict, EXIF, XMP or ICC profile.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    content = out.getvalue()
    return CleanPhoto(
        content=content,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(content).hexdigest(),
    )
