"""The page cache (portal/page_cache.py, cms/signals.py) through HTTP, as visitors and editors use it.

A second anonymous visit of a public page costs no query; a published change, a setting or a
snippet shows at once; nothing personal (sessions, signed-in users, CSRF tokens, tracking) is
ever stored or served from it; Cache-Control says which is which; a dead cache only means
pages are rendered again.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site

from cms.models import PortalSettings
from portal import page_cache
from tests.cms import builders
from tests.complaints.conftest import reference_data  # noqa: F401
from tests.portal.test_outages import _use_redis, redis_server  # noqa: F401

pytestmark = pytest.mark.django_db

STATUS = page_cache.STATUS_HEADER


@pytest.fixture
def pages(home, today):
    index = builders.campaign_index(home)
    campaign = builders.campaign(index, start=today - datetime.timedelta(days=3))
    builders.targets_page(home, year=today.year)
    news_index, (news_item,) = builders.news(home)
    return {
        "home": home,
        "campaign_index": index,
        "campaign": campaign,
        "news_index": news_index,
        "news_item": news_item,
    }


def visit(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    return response, len(queries.captured_queries)


def assert_fresh(client, url, text):
    response, _queries = visit(client, url)
    assert response.status_code == 200
    assert text in response.content.decode(), f"{url} does not show {text!r} yet"


@pytest.mark.parametrize("name", ["home", "campaign", "news_index", "report_list"])
@pytest.mark.usefixtures("reference_data")
def test_a_second_anonymous_visit_is_served_from_the_cache_without_queries(client, pages, name):
    urls = {"home": "/", "report_list": reverse("complaints:report_list")}
    url = urls.get(name) or pages[name].url
    first, first_queries = visit(client, url)
    assert first.status_code == 200 and first[STATUS] == "miss"
    assert first_queries > 0
    second, second_queries = visit(client, url)
    assert second.status_code == 200 and second[STATUS] == "hit"
    assert second_queries == 0
    assert second.content == first.content
    assert "Set-Cookie" not in second.headers and not second.cookies
    assert b"csrfmiddlewaretoken" not in second.content
    # The headers Django's middleware set on the stored copy are still there.
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == "zh-hans"


def _target_reads(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len([q for q in queries.captured_queries if 'FROM "cms_target"' in q["sql"]])


def test_home_and_targets_pages_read_the_targets_table_once(client, pages, today):
    assert _target_reads(client, "/") == 1
    html = client.get("/").content.decode()
    assert "1/3" in html  # targets reached (live figures): one of three
    # The "All ..." links still lead to the index pages (found in one query).
    assert f'href="{pages["campaign_index"].url}"' in html
    assert f'href="{pages["news_index"].url}"' in html
    assert _target_reads(client, "/targets/") == 1
    assert "违法建设拆除" in client.get("/targets/").content.decode()


def test_a_published_change_shows_at_once_on_the_page_its_index_and_the_home_page(client, pages):
    item, index = pages["news_item"], pages["news_index"]
    for url in ("/", index.url, item.url, f"{index.url}?page=1"):
        visit(client, url)
        assert visit(client, url)[0][STATUS] == "hit"

    item.title = "春节假期热线安排"
    item.save_revision().publish()

    for url in (item.url, index.url, f"{index.url}?page=1", "/"):
        assert_fresh(client, url, "春节假期热线安排")
    # The English copies were purged too.
    assert_fresh(client, "/en" + item.url, "春节假期热线安排")


def test_an_unrelated_page_stays_cached_after_a_publish(client, pages):
    campaign = pages["campaign"]
    visit(client, campaign.url)
    item = pages["news_item"]
    item.title = "另一条通知"
    item.save_revision().publish()
    assert visit(client, campaign.url)[0][STATUS] == "hit"


def test_unpublish_and_delete_take_the_page_away_at_once(client, pages):
    item, index = pages["news_item"], pages["news_index"]
    title = item.title
    visit(client, item.url)
    visit(client, index.url)
    item.unpublish()
    assert client.get(item.url).status_code == 404
    assert title not in client.get(index.url).content.decode()

    campaign = pages["campaign"]
    url = campaign.url
    visit(client, url)
    campaign.delete()
    assert client.get(url).status_code == 404


def test_publishing_through_the_admin_purges(client, pages, make_staff):
    editor_client = client.__class__()
    editor_client.force_login(make_staff(None, "chief"))
    index = pages["news_index"]
    visit(client, index.url)
    assert visit(client, index.url)[0][STATUS] == "hit"

    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=[index.pk]),
        {
            "title": "通知与公告",
            "slug": index.slug,
            "listing_summary": "",
            "search_description": "",
            "seo_title": "",
            "action-publish": "action-publish",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert_fresh(client, index.url, "通知与公告")
    # The menu and breadcrumbs of other pages name the index: they are purged as well.
    assert_fresh(client, pages["news_item"].url, "通知与公告")


def test_a_site_setting_or_a_snippet_shown_on_pages_shows_at_once(client, pages):
    campaign = pages["campaign"]
    for url in ("/", campaign.url):
        visit(client, url)
        assert visit(client, url)[0][STATUS] == "hit"

    settings_row = PortalSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.hotline = "0510-88886666"
    settings_row.save()
    assert_fresh(client, "/", "0510-88886666")
    assert_fresh(client, campaign.url, "0510-88886666")

    category = campaign.categories.first()
    category.name = "流动摊贩占道"
    category.save()
    assert_fresh(client, campaign.url, "流动摊贩占道")


def test_languages_are_kept_apart(client, pages):
    zh = client.get("/")
    en = client.get("/en/")
    assert en[STATUS] == "miss"
    assert client.get("/en/")[STATUS] == "hit"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")[STATUS] == "hit"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").content == zh.content
    assert 'lang="en"' in client.get("/en/").content.decode()
    assert 'lang="zh-CN"' in client.get("/").content.decode()


def test_signed_in_users_never_get_nor_fill_the_cache(client, pages, make_staff):
    staff = client.__class__()
    staff.force_login(make_staff(None, "boss"))
    url = pages["campaign"].url
    for _ in range(2):
        response, queries = visit(staff, url)
        assert response.status_code == 200
        assert STATUS not in response.headers and queries > 0
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The signed-in visits stored nothing: the first anonymous visit renders.
    assert client.get(url)[STATUS] == "miss"
    # And a stored anonymous copy is not handed to the signed-in user.
    response, queries = visit(staff, url)
    assert STATUS not in response.headers and queries > 0


def test_a_session_cookie_bypasses_the_cache(client, pages):
    url = pages["campaign"].url
    client.get(url)
    client.cookies["sessionid"] = "anything"
    response, queries = visit(client, url)
    assert STATUS not in response.headers and queries > 0


@pytest.mark.usefixtures("reference_data")
def test_forms_and_tracking_are_never_cached(client, pages):
    for url in (
        reverse("complaints:report_create"),
        reverse("complaints:track"),
        reverse("complaints:informant_report_create"),
    ):
        for _ in range(2):
            fresh = client.__class__()
            response, queries = visit(fresh, url)
            assert response.status_code == 200, url
            assert STATUS not in response.headers, url
            assert queries > 0, url
            assert "no-store" in response["Cache-Control"], url


def test_a_page_with_a_csrf_token_or_a_cookie_is_not_stored(client, pages, monkeypatch):
    from django.middleware.csrf import get_token

    from cms.models import CampaignPage

    original = CampaignPage.get_context

    def with_token(self, request, *args, **kwargs):
        context = original(self, request, *args, **kwargs)
        get_token(request)  # as a form with {% csrf_token %} would
        return context

    monkeypatch.setattr(CampaignPage, "get_context", with_token)
    url = pages["campaign"].url
    for _ in range(2):
        response, queries = visit(client.__class__(), url)
        assert STATUS not in response.headers and queries > 0
        assert "csrftoken" in response.cookies
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.usefixtures("reference_data")
def test_cache_control_of_pages_and_lists(client, pages, settings):
    settings.PORTAL_PAGE_CACHE_MAX_AGE = 30
    settings.PORTAL_PAGE_CACHE_S_MAXAGE = 300
    settings.PORTAL_PAGE_CACHE_LIST_SECONDS = 45
    url = pages["campaign"].url
    assert client.get(url)["Cache-Control"] == "public, max-age=30, s-maxage=300"
    assert client.get(url)["Cache-Control"] == "public, max-age=30, s-maxage=300"
    reports = reverse("complaints:report_list")
    assert client.get(reports)["Cache-Control"] == "public, max-age=45, s-maxage=45"
    assert client.get(reports, {"page": "2"})["Cache-Control"] == "public, max-age=45, s-maxage=45"
    # Errors are not stored.
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and STATUS not in response.headers


@pytest.mark.usefixtures("reference_data")
def test_the_list_expires_after_its_short_time(client, pages, settings):
    reports = reverse("complaints:report_list")
    client.get(reports)
    assert client.get(reports)[STATUS] == "hit"
    settings.PORTAL_PAGE_CACHE_LIST_SECONDS = 0  # stored for 0 s: the next visit renders
    client.get(reports, {"page": "3"})
    assert client.get(reports, {"page": "3"})[STATUS] == "miss"


def test_a_dead_redis_only_means_pages_are_rendered(client, pages, settings, redis_server):  # noqa: F811
    _use_redis(settings, f"redis://127.0.0.1:{redis_server.port}/11")
    url = pages["campaign"].url
    assert client.get(url)[STATUS] == "miss"
    assert client.get(url)[STATUS] == "hit"
    redis_server.kill()
    for _ in range(3):
        response, queries = visit(client, url)
        assert response.status_code == 200
        assert STATUS not in response.headers and queries > 0
        assert pages["campaign"].title in response.content.decode()


@pytest.mark.usefixtures("reference_data")
def test_a_new_report_shows_in_the_cached_list_at_once(client, pages):
    from tests.complaints.intake.test_views_list_paging import file_reports

    reports = reverse("complaints:report_list")
    client.get(reports)
    assert client.get(reports)[STATUS] == "hit"
    file_reports(1)
    response = client.get(reports)
    assert response[STATUS] == "miss"
    assert "BH-" in response.content.decode()


def test_a_configured_frontend_cache_gets_the_same_urls(client, pages, settings, monkeypatch):
    from wagtail.contrib.frontend_cache import utils

    sent = []
    monkeypatch.setattr(utils, "purge_urls_from_cache", lambda urls: sent.extend(urls))
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    item = pages["news_item"]
    item.title = "代理缓存也清除"
    item.save_revision().publish()
    assert "http://localhost/news/hotline/" in sent
    assert "http://localhost/en/news/hotline/" in sent
    assert "http://localhost/news/" in sent and "http://localhost/" in sent
