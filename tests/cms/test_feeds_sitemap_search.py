import datetime

import pytest
from defusedxml import ElementTree
from django.core.management import call_command

from tests.cms import builders

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def news_items(home):
    return builders.news(
        home,
        items=[
            ("older", "较早的通知", datetime.date(2026, 1, 5)),
            ("newer", "最新的通知", datetime.date(2026, 9, 1)),
        ],
    )


def test_rss_feed_lists_news_newest_first(client, news_items):
    response = client.get("/news/feed/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    titles = [t.text for t in ElementTree.fromstring(response.content).iter("title")]
    assert titles[1:] == ["最新的通知", "较早的通知"]


def test_atom_feed_lists_news_with_links(client, news_items):
    response = client.get("/news/feed/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["最新的通知", "较早的通知"]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/news/newer/")


def test_unpublished_news_stays_out_of_the_feed(client, news_items):
    _, (older, _newer) = news_items
    older.unpublish()
    assert "较早的通知" not in client.get("/news/feed/rss/").content.decode()


def test_sitemap_lists_live_pages(client, home, news_items):
    about = builders.standard(home)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = [
        e.text
        for e in ElementTree.fromstring(response.content).iter(
            "{http://www.sitemaps.org/schemas/sitemap/0.9}loc"
        )
    ]
    assert any(loc.endswith("/about/") for loc in locations)
    assert any(loc.endswith("/news/newer/") for loc in locations)
    about.unpublish()
    assert "/about/" not in client.get("/sitemap.xml").content.decode()


def search_titles(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return [page.title for page in response.context["search_results"]]


def index_pages():
    # Index updates are background tasks (run by the worker); rebuild them synchronously here.
    call_command("update_index", verbosity=0)


def test_search_finds_published_pages(client, home, news_items):
    builders.standard(home)
    index_pages()
    titles = search_titles(client, "最新的通知")
    assert titles[0] == "最新的通知"
    assert "关于我们" not in titles


def test_search_finds_chinese_words_inside_titles_and_bodies(client, home, news_items):
    builders.standard(home)
    index_pages()
    # 通知 is part of a longer run of characters: full-text tokenisers alone would miss it.
    assert set(search_titles(client, "通知")) == {"通知公告", "最新的通知", "较早的通知"}
    assert search_titles(client, "市容环境") == ["关于我们"]  # only in the body
    assert search_titles(client, "最新 通知") == ["最新的通知"]  # every term must match


def test_search_finds_latin_words(client, home):
    builders.standard(home, title="Open311 接口说明", slug="open311")
    index_pages()
    assert search_titles(client, "Open311") == ["Open311 接口说明"]


def test_search_without_query_and_without_results(client, home):
    empty = client.get("/search/")
    assert empty.status_code == 200
    assert list(empty.context["search_results"]) == []
    nothing = client.get("/search/", {"q": "完全不存在的词语"})
    assert nothing.status_code == 200
    assert list(nothing.context["search_results"]) == []


def test_search_ignores_unpublished_pages(client, home):
    page = builders.standard(home, title="内部草稿页面", slug="draft")
    index_pages()
    assert search_titles(client, "草稿") == ["内部草稿页面"]
    page.unpublish()
    assert search_titles(client, "草稿") == []
