"""Absolute links follow the portal's public address: the demo Site, the sitemap, the check."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from wagtail.models import Site

from portal.deploy_checks import base_url_is_set


@pytest.mark.django_db
def test_demo_site_and_sitemap_use_the_base_url(settings, client, capsys):
    settings.DEBUG = True
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8123"
    call_command("seed_demo")
    capsys.readouterr()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8123)
    settings.DEBUG = False
    sitemap = client.get("/sitemap.xml", HTTP_HOST="127.0.0.1:8123")
    assert sitemap.status_code == 200
    text = sitemap.content.decode()
    assert "<loc>http://127.0.0.1:8123/" in text
    assert "http://localhost/" not in text


def test_deploy_check_warns_without_a_base_url(settings):
    settings.DEBUG = False
    settings.PORTAL_BASE_URL = ""
    warnings = base_url_is_set(None)
    assert [w.id for w in warnings] == ["portal.W001"]
    with pytest.raises(SystemCheckError, match="PORTAL_BASE_URL"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])


def test_deploy_check_passes_with_a_base_url(settings):
    settings.DEBUG = False
    settings.PORTAL_BASE_URL = "https://portal.example.gov.cn"
    assert base_url_is_set(None) == []
