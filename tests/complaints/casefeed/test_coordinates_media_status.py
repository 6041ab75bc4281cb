"""Coordinate conversion, signed photo links, external status mapping."""

import pytest
from django.core import signing

from complaints.casefeed.coordinates import from_wgs84, to_wgs84, wgs84_to_gcj02
from complaints.casefeed.media import SALT, media_url_for
from complaints.casefeed.status import external_status_public
from complaints.cases.workflow import PublicState
from complaints.models import Attachment
from tests.complaints.casefeed.conftest import file_report
from tests.complaints.conftest import jpeg_bytes


@pytest.mark.parametrize("system", ["wgs84", "gcj02", "bd09"])
@pytest.mark.parametrize("point", [(31.555, 120.255), (39.9087, 116.3975), (22.54, 114.06)])
def test_round_trip(system, point):
    there = from_wgs84(*point, system)
    back = to_wgs84(*there, system)
    assert abs(back[0] - point[0]) < 1e-6 and abs(back[1] - point[1]) < 1e-6


def test_known_gcj02_offset():
    # Tiananmen: WGS84 (39.9087, 116.3975) is about (39.91, 116.4037) on GCJ-02 maps.
    lat, lng = wgs84_to_gcj02(39.9087, 116.3975)
    assert abs(lat - 39.91010) < 2e-4 and abs(lng - 116.40374) < 2e-4
    assert from_wgs84(48.85, 2.35, "gcj02") == (48.85, 2.35)  # outside China: unchanged


def test_statuses():
    assert external_status_public("in progress") == PublicState.IN_PROGRESS
    assert external_status_public("NOT_COUNCILS_RESPONSIBILITY") == PublicState.REJECTED
    assert external_status_public("FIXED") == PublicState.CLOSED
    assert external_status_public("whatever") is None


@pytest.mark.django_db
def test_signed_media_link(client, reference_data, settings):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    report = file_report()
    attachment = Attachment(
        report=report, sha256="0" * 64, width=10, height=10, size=10, created_at=timezone.now()
    )
    attachment.image.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
    attachment.save()
    settings.WAGTAILADMIN_BASE_URL = "http://portal.test"
    url = media_url_for(attachment)
    assert url.startswith("http://portal.test/casefeed/media/")
    path = url.removeprefix("http://portal.test")
    assert client.get(path).status_code == 200
    assert client.get(path[:-2] + "xx").status_code == 404
    settings.CASEFEED_MEDIA_LINK_SECONDS = -1
    assert client.get(path).status_code == 404
    forged = signing.TimestampSigner(salt=SALT + "x").sign(str(attachment.pk))
    assert client.get(f"/casefeed/media/{forged}").status_code == 404
