"""Media on S3-compatible object storage (PORTAL_MEDIA_BACKEND=s3, portal/storage_s3.py), tested
against moto's S3 server started here as a subprocess on a free port, with buckets made per test.

Residents' photos land in the private bucket without a public grant and reach only the
permission-checked views; no response ever names the endpoint; Wagtail images land in the
public bucket; /healthz asks the buckets; a store that is gone gives residents the "photos cannot
be stored" page with their form kept, and leaves nothing behind.
"""

import re
import socket
import subprocess
import sys
import time
import uuid

import pytest

try:
    import boto3
    import moto.server  # noqa: F401 - the server mode (moto[server]) must be installed
    import requests
except ImportError as exc:  # CI installs requirements-dev.txt: fail loudly, never skip
    raise ImportError(
        "tests/portal/test_s3_media.py needs boto3, requests and moto[server]: "
        "pip install -r requirements-dev.txt"
    ) from exc

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.urls import reverse
from wagtail.images import get_image_model

from complaints.intake.services.uploads import upload_draft_add
from complaints.models import Attachment, Report, UploadDraft
from complaints.reference.services.reference_data import (
    categories_load_from_csv,
    demo_geography_load,
)
from portal import roles
from portal.storage_s3 import ObjectStorageError, PrivateS3Storage
from tests.complaints.conftest import form_data, jpeg_bytes, photo

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')
ACCESS_KEY, SECRET_KEY, REGION = "portal-test", "portal-test-secret", "us-east-1"
PUBLIC_GROUPS = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


class MotoServer:
    """``python -m moto.server`` on a free local port."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                requests.get(f"{self.endpoint}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start") from None
                time.sleep(0.2)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def s3_server():
    server = MotoServer()
    yield server
    server.stop()


def use_s3(settings, monkeypatch, server: MotoServer) -> dict:
    """Point STORAGES at two fresh buckets of ``server``, as PORTAL_MEDIA_BACKEND=s3 does."""
    buckets = {"public": f"pub-{uuid.uuid4().hex[:12]}", "private": f"prv-{uuid.uuid4().hex[:12]}"}
    client = server.client()
    for bucket in buckets.values():
        client.create_bucket(Bucket=bucket)
    common = {
        "endpoint_url": server.endpoint,
        "region_name": REGION,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "signature_version": "s3v4",
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "portal.storage_s3.PublicS3Storage",
            "OPTIONS": {**common, "bucket_name": buckets["public"]},
        },
        "private": {
            "BACKEND": "portal.storage_s3.PrivateS3Storage",
            "OPTIONS": {**common, "bucket_name": buckets["private"], "default_acl": "private"},
        },
    }
    settings.WAGTAILDOCS_SERVE_METHOD = "serve_view"
    # The private FileFields took their storage when the models were built: hand them the new one.
    private = storages["private"]
    assert isinstance(private, PrivateS3Storage)
    for model in (Attachment, UploadDraft):
        monkeypatch.setattr(model._meta.get_field("image"), "storage", private)
    return buckets


@pytest.fixture
def s3(settings, monkeypatch, s3_server):
    buckets = use_s3(settings, monkeypatch, s3_server)
    return s3_server, buckets


@pytest.fixture
def reference_data(db):
    categories_load_from_csv()
    demo_geography_load()


def keys(server: MotoServer, bucket: str) -> list[str]:
    listing = server.client().list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", ()))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def mentions_endpoint(response, server: MotoServer) -> bool:
    where = f"127.0.0.1:{server.port}".encode()
    return where in body(response) or where.decode() in str(response.headers)


def test_a_residents_photo_goes_to_the_private_bucket_and_only_checked_views_serve_it(
    client, home, reference_data, make_staff, s3
):
    server, buckets = s3
    content = jpeg_bytes(colour=(20, 120, 220), gps=True)
    responses = []

    # A resident files a report with a photo through the public form.
    response = client.post(
        reverse("complaints:report_create"),
        {**form_data(), "photos": [photo("evidence.jpg", content)]},
    )
    assert response.status_code == 302, response.content[:500]
    receipt = client.get(response["Location"])
    responses += [response, receipt]
    code = CODE_RE.search(receipt.content.decode()).group(1)
    report = Report.objects.get()
    attachment = report.attachments.get()
    name = attachment.image.name

    # In the private bucket under its random name, nothing in the public bucket, no draft left.
    assert name.startswith("complaints/") and name.endswith(".jpg")
    assert keys(server, buckets["private"]) == [name]
    assert keys(server, buckets["public"]) == []
    assert not UploadDraft.objects.exists()
    stored = server.client().get_object(Bucket=buckets["private"], Key=name)["Body"].read()
    assert b"PhoneMaker" not in stored and stored != content  # re-encoded, EXIF stripped

    # Not public: no grant to everyone, and an anonymous GET at the endpoint is refused.
    grants = server.client().get_object_acl(Bucket=buckets["private"], Key=name)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS]
    anonymous_s3 = requests.get(f"{server.endpoint}/{buckets['private']}/{name}", timeout=10)
    assert anonymous_s3.status_code == 403 and stored not in anonymous_s3.content
    with pytest.raises(ValueError):
        attachment.image.url  # noqa: B018

    photo_url = reverse(
        "complaints:report_photo", kwargs={"reference": report.reference, "pk": attachment.pk}
    )
    case_photo_url = reverse("complaints_case_photo", args=[report.pk, attachment.pk])

    # The resident's tracking view (another browser with reference + access code).
    tracker = client.__class__()
    signed_in = tracker.post(
        reverse("complaints:track"), {"reference": report.reference, "access_code": code}
    )
    assert signed_in.status_code == 302
    page = tracker.get(report.get_absolute_url())
    assert page.status_code == 200 and photo_url in page.content.decode()
    served = tracker.get(photo_url)
    assert served.status_code == 200
    assert body(served) == stored
    assert served["Content-Type"] == "image/jpeg"
    assert "no-store" in served["Cache-Control"]
    responses += [signed_in, page, served]

    # The staff case view and its photo.
    intake = client.__class__()
    intake.force_login(make_staff(roles.INTAKE_OPERATOR))
    case_page = intake.get(reverse("complaints_case", args=[report.pk]))
    assert case_page.status_code == 200
    staff_photo = intake.get(case_photo_url)
    assert staff_photo.status_code == 200 and body(staff_photo) == stored
    responses += [case_page, staff_photo]

    # Anonymous: 404 for the public photo URL, the sign-in page for the staff one.
    stranger = client.__class__()
    refused = stranger.get(photo_url)
    assert refused.status_code == 404 and stored not in body(refused)
    refused_case = stranger.get(case_photo_url)
    assert refused_case.status_code == 302 and "login" in refused_case["Location"]
    responses += [refused, refused_case]

    # No response names the object store.
    for response in responses:
        assert not mentions_endpoint(response, server), response


def test_a_wagtail_image_upload_lands_in_the_public_bucket(client, make_staff, s3, settings):
    server, buckets = s3
    admin = make_staff(None)
    client.force_login(admin)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "河道整治",
            "file": SimpleUploadedFile("river.jpg", jpeg_bytes(size=(320, 240)), "image/jpeg"),
            "collection": "1",
            "description": "河道整治后的照片",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    image = get_image_model().objects.get(title="河道整治")
    assert image.width == 320
    assert image.file.name in keys(server, buckets["public"])
    assert keys(server, buckets["private"]) == []
    # Published under the bucket's URL, without a signature; a rendition is stored beside it.
    assert image.file.url.startswith(f"{server.endpoint}/{buckets['public']}/")
    assert "Signature" not in image.file.url and "X-Amz-" not in image.file.url
    rendition = image.get_rendition("fill-100x100")
    assert rendition.file.name in keys(server, buckets["public"])


def test_healthz_asks_the_buckets_and_reports_a_store_that_is_gone(client, settings, monkeypatch):
    server = MotoServer()
    try:
        use_s3(settings, monkeypatch, server)
        response = client.get("/healthz", {"scope": "web"})
        media = response.json()["checks"]["media_storage"]
        assert response.status_code == 200, response.json()
        assert media["status"] == "up"
        assert media["default"] == {"backend": "s3"} and media["private"] == {"backend": "s3"}
        assert "free_bytes" not in media  # no disk is involved
    finally:
        server.stop()
    response = client.get("/healthz", {"scope": "web"})
    assert response.status_code == 503
    media = response.json()["checks"]["media_storage"]
    assert media == {"status": "down", "error": "ObjectStorageError", "ms": media["ms"]}
    assert server.endpoint not in response.content.decode()


def test_a_store_that_is_gone_keeps_the_residents_form_and_stores_nothing(
    client, home, reference_data, settings, monkeypatch
):
    server = MotoServer()
    try:
        use_s3(settings, monkeypatch, server)
    finally:
        server.stop()
    data = {**form_data(description="河边的垃圾堆了三天了，请尽快处理。")}
    response = client.post(
        reverse("complaints:report_create"), {**data, "photos": [photo("evidence.jpg")]}
    )
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "河边的垃圾堆了三天了" in page  # the typed form comes back
    assert server.endpoint not in page and f"127.0.0.1:{server.port}" not in page
    assert not Report.objects.exists() and not UploadDraft.objects.exists()


def test_a_failed_draft_row_removes_its_object(s3, monkeypatch):
    server, buckets = s3

    def refuse(*args, **kwargs):
        raise DatabaseError("the database went away after the photo was stored")

    monkeypatch.setattr(UploadDraft, "save", refuse)
    with pytest.raises(DatabaseError):
        upload_draft_add(token="t" * 40, upload=photo())
    assert keys(server, buckets["private"]) == []  # no orphan object


def test_move_private_media_uploads_old_photos_to_the_private_bucket(s3, settings, tmp_path):
    server, buckets = s3
    old = tmp_path / "media" / "complaints" / "2025" / "01" / "old.jpg"
    old.parent.mkdir(parents=True)
    old.write_bytes(jpeg_bytes())
    call_command("move_private_media", verbosity=0)
    assert keys(server, buckets["private"]) == ["complaints/2025/01/old.jpg"]
    assert not old.exists()
    grants = server.client().get_object_acl(
        Bucket=buckets["private"], Key="complaints/2025/01/old.jpg"
    )["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GROUPS]


def test_the_private_s3_storage_never_makes_a_url(s3):
    private = storages["private"]
    with pytest.raises(ValueError):
        private.url("complaints/2026/01/x.jpg")
    with pytest.raises(FileNotFoundError):
        private.open("complaints/2026/01/missing.jpg")
    assert issubclass(ObjectStorageError, OSError)


def test_settings_choose_s3_from_the_environment_and_the_system_checks_pass():
    """A process started with PORTAL_MEDIA_BACKEND=s3 gets both S3 storages and passes
    `manage.py check` (complaints.E101: the private storage makes no URL)."""
    import os

    from django.conf import settings

    env = {
        **os.environ,
        "PORTAL_MEDIA_BACKEND": "s3",
        "PORTAL_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "PORTAL_S3_BUCKET_PUBLIC": "portal-public",
        "PORTAL_S3_BUCKET_PRIVATE": "portal-private",
        "PORTAL_S3_ACCESS_KEY_ID": "key",
        "PORTAL_S3_SECRET_ACCESS_KEY": "secret",
        "PORTAL_S3_REGION": "cn-north-1",
    }
    probe = (
        "import django; django.setup();"
        "from django.conf import settings; from django.core.files.storage import storages;"
        "print(type(storages['default']).__name__, type(storages['private']).__name__,"
        " storages['private'].bucket_name, storages['private'].default_acl,"
        " 'http://127.0.0.1:9' in settings.SECURE_CSP['img-src'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["PublicS3Storage", "PrivateS3Storage", "portal-private", "private", "True"]
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    # The same bucket for both, or a proxy hand-off the bucket cannot serve: refused at start-up.
    for extra in (
        {"PORTAL_S3_BUCKET_PRIVATE": "portal-public"},
        {"PORTAL_PRIVATE_MEDIA_ACCEL": "x-accel-redirect"},
        {"PORTAL_S3_PRIVATE_ACL": "public-read"},
    ):
        refused = subprocess.run(
            [sys.executable, "-c", probe],
            env={**env, **extra},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        assert refused.returncode != 0 and "ImproperlyConfigured" in refused.stderr, extra
