"""Fixtures for the complaints tests: the demo taxonomy and grid, photos, form posts."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from complaints.models import Category, GridCell
from complaints.notifications.sms import MemorySmsBackend
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)

# A point inside the demo grid (太湖街道 · 太湖社区 第2网格) and one about 100 m away.
POINT = (31.5550, 120.2550)
POINT_NEARBY = (31.5555, 120.2560)


@pytest.fixture
def reference_data(db):
    categories_load_from_csv()
    demo_geography_load()


@pytest.fixture(autouse=True)
def complaints_settings(settings, tmp_path):
    settings.COMPLAINTS_SMS_BACKEND = "complaints.notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox = []
    settings.COMPLAINTS_RATE_SUBMIT_IP = "100/h"
    settings.COMPLAINTS_RATE_SUBMIT_PHONE = "100/h"
    settings.COMPLAINTS_RATE_TRACK_IP = "100/h"
    # A per-test cache (own SQLite file, or own key prefix on Redis): rate-limit counters of one
    # test never count in another, even with pytest-xdist workers clearing the shared cache.
    caches = {}
    for name, config in settings.CACHES.items():
        config = {**config, "KEY_PREFIX": f"t{uuid.uuid4().hex[:12]}"}
        if config["BACKEND"] == "portal.sqlite_cache.SQLiteCache":
            config["LOCATION"] = str(tmp_path / f"cache-{name}.sqlite3")
        caches[name] = config
    settings.CACHES = caches


@pytest.fixture
def site(home):
    """The page tree base.html needs (lead's fixture), with the reference data loaded."""
    return home


def category(kind: str, code: str) -> Category:
    return Category.objects.get(kind=kind, code=code)


def cell_at(lat: float, lng: float) -> GridCell:
    from complaints.reference.selectors.geography import grid_cell_for_point

    return grid_cell_for_point(lat=lat, lng=lng)


def jpeg_bytes(size=(640, 480), *, gps: bool = False, colour=(200, 30, 30)) -> bytes:
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "PhoneModel X"  # Model
        gps_ifd = {1: "N", 2: (31.0, 33.0, 18.0), 3: "E", 4: (120.0, 15.0, 0.0)}
        exif[0x8825] = gps_ifd
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def photo(name="photo.jpg", content: bytes | None = None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content if content is not None else jpeg_bytes(), content_type)


def form_data(**overrides) -> dict:
    """A complete, valid report form POST (the demo's 暴露垃圾 at POINT)."""
    data = {
        "submission_token": str(uuid.uuid4()),
        "draft_token": uuid.uuid4().hex + uuid.uuid4().hex[:8],
        "category": str(category("event", "0102").pk),
        "description": "路口垃圾桶旁边堆满了垃圾，已经两天没人清理。",
        "town": "",
        "community": "",
        "grid_cell": "",
        "address": "太湖大道 100 号附近",
        "latitude": str(POINT[0]),
        "longitude": str(POINT[1]),
        "contact_name": "张三",
        "contact_phone": "13812345678",
        "contact_email": "zhang@example.com",
        "consent_to_contact": "on",
        "is_public": "on",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def report_url():
    return reverse("complaints:report_create")
