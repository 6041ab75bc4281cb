"""Residents' photos live in the private storage: no /media/ URL reaches them, only the
permission-checked views serve them (streamed or through the reverse proxy), the move command
brings old files over, and the system check refuses a private root inside a published one."""

import re
import runpy
import types
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings
from django.urls import reverse

import portal.urls
from complaints.casefeed.media import media_url_for
from complaints.intake.services.uploads import upload_draft_add
from complaints.models import Attachment, Report, UploadDraft
from complaints.privacy.checks import check_private_media
from portal import roles
from tests.complaints.conftest import form_data, jpeg_bytes, photo

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r'id="receipt-code">([A-Z0-9-]{19})<')


@pytest.fixture
def debug_urls(settings):
    """portal/urls.py as `make run` loads it (DEBUG: /media/ served from MEDIA_ROOT), which is
    also what an operator gets who points a web server's /media/ at MEDIA_ROOT."""
    with override_settings(DEBUG=True):
        namespace = runpy.run_path(portal.urls.__file__, run_name="portal.debug_urls")
    module = types.ModuleType("portal.debug_urls")
    module.__dict__.update(namespace)
    settings.ROOT_URLCONF = module
    return module


def file_with_photo(client, content: bytes) -> tuple[Report, Attachment, str]:
    """A resident files a report with one photo through the public form; returns the report,
    its attachment and the access code shown on the receipt."""
    response = client.post(
        reverse("complaints:report_create"),
        {**form_data(), "photos": [photo("evidence.jpg", content)]},
    )
    assert response.status_code == 302, response.content[:500]
    receipt = client.get(response["Location"])
    code = CODE_RE.search(receipt.content.decode()).group(1)
    report = Report.objects.get()
    return report, report.attachments.get(), code


def tracking_client(client, report: Report, code: str):
    """Another browser that proved access with the reference and the access code."""
    other = client.__class__()
    response = other.post(
        reverse("complaints:track"), {"reference": report.reference, "access_code": code}
    )
    assert response.status_code == 302
    return other


def photo_url(report: Report, attachment: Attachment) -> str:
    return reverse(
        "complaints:report_photo", kwargs={"reference": report.reference, "pk": attachment.pk}
    )


def case_photo_url(report: Report, attachment: Attachment) -> str:
    return reverse("complaints_case_photo", args=[report.pk, attachment.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- Nothing under /media/ --------------------------------------------------------------------


def test_uploaded_photo_is_not_reachable_under_media(
    client, site, reference_data, settings, debug_urls
):
    content = jpeg_bytes(colour=(10, 200, 10))
    report, attachment, code = file_with_photo(client, content)
    name = attachment.image.name
    assert name.startswith("complaints/") and name.endswith(".jpg")

    with attachment.image.open("rb") as handle:
        stored = handle.read()
    private_root = Path(settings.PORTAL_PRIVATE_MEDIA_ROOT)
    media_root = Path(settings.MEDIA_ROOT)

    # The /media/ route is live (a CMS file there is served)...
    (media_root / "images").mkdir(parents=True, exist_ok=True)
    (media_root / "images" / "logo.jpg").write_bytes(b"public")
    assert client.get("/media/images/logo.jpg").status_code == 200
    # ...but no path under it reaches the photo: the old layout, the private root's own name,
    # or a step out of MEDIA_ROOT.
    candidates = [
        f"/media/{name}",
        f"/media/private/{name}",
        f"/media/{private_root.name}/{name}",
        f"/media/../{private_root.name}/{name}",
        f"/media/%2e%2e/{private_root.name}/{name}",
        f"/media/{name.rsplit('/', 1)[1]}",
        f"/media/complaints/drafts/{name.rsplit('/', 1)[1]}",
    ]
    for path in candidates:
        response = client.get(path)
        # 404, or 400 for the step out of MEDIA_ROOT (refused as a suspicious path).
        assert response.status_code in (400, 404), path
        assert stored not in body(response)

    # On disk: in the private root, and nothing of the report's under MEDIA_ROOT.
    assert (private_root / name).read_bytes() == stored
    assert not (media_root / name).exists()
    assert [p for p in media_root.rglob("*") if p.is_file()] == [media_root / "images" / "logo.jpg"]

    # The tracking page links the photo through the checked view, never through /media/.
    other = tracking_client(client, report, code)
    page = other.get(report.get_absolute_url()).content.decode()
    assert photo_url(report, attachment) in page
    assert "/media/complaints" not in page


def test_draft_photos_go_to_the_private_root(settings):
    draft = upload_draft_add(token="d" * 40, upload=photo())
    assert (Path(settings.PORTAL_PRIVATE_MEDIA_ROOT) / draft.image.name).is_file()
    assert not (Path(settings.MEDIA_ROOT) / draft.image.name).exists()
    with pytest.raises(ValueError):
        draft.image.url  # noqa: B018


def test_private_storage_makes_no_url(settings):
    storage = Attachment._meta.get_field("image").storage
    assert storage is storages["private"]
    assert UploadDraft._meta.get_field("image").storage is storage
    name = storage.save("complaints/2026/01/x.jpg", ContentFile(b"data"))
    with pytest.raises(ValueError):
        storage.url(name)
    # Even when STORAGES names a base_url (Django would otherwise fall back to MEDIA_URL).
    with (
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "private": {
                    "BACKEND": "complaints.privacy.storage.PrivateFileSystemStorage",
                    "OPTIONS": {"base_url": "/media/"},
                },
            }
        ),
        pytest.raises(ValueError),
    ):
        storages["private"].url(name)


# --- The permission-checked views -----------------------------------------------------------


def test_reporter_and_tracker_get_the_photo_others_do_not(client, site, reference_data):
    content = jpeg_bytes(colour=(10, 20, 200))
    report, attachment, code = file_with_photo(client, content)
    stored = attachment.image.open("rb").read()
    attachment.image.close()
    url = photo_url(report, attachment)

    for who in (client, tracking_client(client, report, code)):
        response = who.get(url)
        assert response.status_code == 200
        assert body(response) == stored
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("inline")
        assert "X-Accel-Redirect" not in response

    stranger = client.__class__()
    assert stranger.get(url).status_code == 404


def test_staff_with_a_role_get_the_photo_others_are_refused(
    client, site, reference_data, make_staff
):
    report, attachment, _code = file_with_photo(client, jpeg_bytes())
    stored = attachment.image.open("rb").read()
    attachment.image.close()
    url = case_photo_url(report, attachment)

    anonymous = client.__class__()
    response = anonymous.get(url)
    assert response.status_code == 302 and "login" in response["Location"]

    editor = client.__class__()
    editor.force_login(make_staff(roles.PUBLICITY_EDITOR))
    response = editor.get(url)
    assert response.status_code in (302, 403)
    assert stored not in body(response)

    intake = client.__class__()
    intake.force_login(make_staff(roles.INTAKE_OPERATOR))
    response = intake.get(url)
    assert response.status_code == 200
    assert body(response) == stored
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_signed_casefeed_link_serves_the_private_file(client, site, reference_data, settings):
    _report, attachment, _code = file_with_photo(client, jpeg_bytes())
    settings.WAGTAILADMIN_BASE_URL = "http://portal.test"
    path = media_url_for(attachment).removeprefix("http://portal.test")
    response = client.__class__().get(path)
    assert response.status_code == 200
    assert (
        body(response)
        == (Path(settings.PORTAL_PRIVATE_MEDIA_ROOT) / attachment.image.name).read_bytes()
    )


def test_x_accel_redirect_hands_the_file_to_nginx(
    client, site, reference_data, make_staff, settings
):
    report, attachment, code = file_with_photo(client, jpeg_bytes())
    name = attachment.image.name
    settings.PORTAL_PRIVATE_MEDIA_ACCEL = "x-accel-redirect"
    settings.PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX = "/_private/"
    settings.WAGTAILADMIN_BASE_URL = "http://portal.test"

    intake = client.__class__()
    intake.force_login(make_staff(roles.INTAKE_OPERATOR))
    answers = {
        "tracking": tracking_client(client, report, code).get(photo_url(report, attachment)),
        "staff": intake.get(case_photo_url(report, attachment)),
        "casefeed": client.__class__().get(
            media_url_for(attachment).removeprefix("http://portal.test")
        ),
    }
    for view, response in answers.items():
        assert response.status_code == 200, view
        assert response["X-Accel-Redirect"] == f"/_private/{name}", view
        assert body(response) == b"", view
        assert response["Content-Type"] == "image/jpeg", view
        assert "no-store" in response["Cache-Control"], view
        assert response["X-Content-Type-Options"] == "nosniff", view
        assert str(settings.PORTAL_PRIVATE_MEDIA_ROOT) not in str(response.headers), view

    # The permission check still comes first: no header for a stranger.
    response = client.__class__().get(photo_url(report, attachment))
    assert response.status_code == 404 and "X-Accel-Redirect" not in response


def test_x_sendfile_names_the_file_for_the_server_only(client, site, reference_data, settings):
    report, attachment, _code = file_with_photo(client, jpeg_bytes())
    settings.PORTAL_PRIVATE_MEDIA_ACCEL = "x-sendfile"
    response = client.get(photo_url(report, attachment))
    assert response.status_code == 200
    assert body(response) == b""
    assert (
        Path(response["X-Sendfile"])
        == (Path(settings.PORTAL_PRIVATE_MEDIA_ROOT) / attachment.image.name).resolve()
    )


def test_missing_file_is_a_404_not_a_crash(client, site, reference_data):
    report, attachment, _code = file_with_photo(client, jpeg_bytes())
    attachment.image.storage.delete(attachment.image.name)
    assert client.get(photo_url(report, attachment)).status_code == 404


# --- Moving files stored before the private storage existed ----------------------------------


def test_move_command_moves_legacy_files_once(client, site, reference_data, settings):
    report, attachment, _code = file_with_photo(client, jpeg_bytes())
    # A photo stored by the old code: under MEDIA_ROOT/complaints/, named in the database.
    legacy_name = "complaints/2025/03/0123456789abcdef0123456789abcdef.jpg"
    legacy_bytes = jpeg_bytes(colour=(1, 2, 3))
    media_root = Path(settings.MEDIA_ROOT)
    private_root = Path(settings.PORTAL_PRIVATE_MEDIA_ROOT)
    (media_root / legacy_name).parent.mkdir(parents=True)
    (media_root / legacy_name).write_bytes(legacy_bytes)
    Attachment.objects.filter(pk=attachment.pk).update(image=legacy_name)
    url = photo_url(report, attachment)
    assert client.get(url).status_code == 404  # not where the private storage looks

    call_command("move_private_media", "--dry-run", stdout=(out := _Out()))
    assert "Would move 1 file(s)" in out.text
    assert (media_root / legacy_name).is_file()

    call_command("move_private_media", stdout=(out := _Out()))
    assert "Moved 1 file(s)" in out.text
    assert "0 database row(s) without a file" in out.text
    assert (private_root / legacy_name).read_bytes() == legacy_bytes
    assert not (media_root / legacy_name).exists()
    assert not (media_root / "complaints").exists()  # emptied directories removed
    assert body(client.get(url)) == legacy_bytes

    # Idempotent: nothing left to move, the file stays.
    call_command("move_private_media", stdout=(out := _Out()))
    assert "Moved 0 file(s)" in out.text
    assert (private_root / legacy_name).read_bytes() == legacy_bytes

    # A copy left behind (e.g. restored from an old backup) is removed when identical...
    (media_root / legacy_name).parent.mkdir(parents=True)
    (media_root / legacy_name).write_bytes(legacy_bytes)
    call_command("move_private_media", stdout=(out := _Out()))
    assert "Moved 0 file(s)" in out.text and "1 already there" in out.text
    assert not (media_root / legacy_name).exists()
    # ...and left in place, with an error, when it differs.
    (media_root / legacy_name).parent.mkdir(parents=True)
    (media_root / legacy_name).write_bytes(b"something else")
    with pytest.raises(CommandError, match="1 conflict"):
        call_command("move_private_media", stdout=_Out())
    assert (media_root / legacy_name).read_bytes() == b"something else"
    assert (private_root / legacy_name).read_bytes() == legacy_bytes


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


# --- The system check -----------------------------------------------------------------------


def test_check_passes_with_separate_roots():
    assert check_private_media() == []
    call_command("check", "--tag", "security", stdout=_Out())


@pytest.mark.parametrize("inside", ["MEDIA_ROOT", "STATIC_ROOT"])
def test_check_fails_when_the_private_root_is_inside_a_published_root(settings, inside):
    published = Path(getattr(settings, inside))
    settings.PORTAL_PRIVATE_MEDIA_ROOT = published / "private"
    with pytest.raises(SystemCheckError, match=r"complaints\.E102"):
        call_command("check", "--tag", "security", stdout=_Out())
    settings.PORTAL_PRIVATE_MEDIA_ROOT = published
    assert [e.id for e in run_checks(tags=["security"]) if e.id == "complaints.E102"]


def test_check_refuses_a_private_storage_with_urls_and_bad_accel(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.PORTAL_PRIVATE_MEDIA_ACCEL = "x-accel"
    ids = {e.id for e in check_private_media()}
    assert {"complaints.E101", "complaints.E103"} <= ids
    settings.PORTAL_PRIVATE_MEDIA_ACCEL = "x-accel-redirect"
    settings.PORTAL_PRIVATE_MEDIA_ACCEL_PREFIX = "/media/private/"
    assert "complaints.E104" in {e.id for e in check_private_media()}
