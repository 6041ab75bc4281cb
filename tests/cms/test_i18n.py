"""Chinese is the default language of the site and the admin; English is one click away."""

import re

import pytest
from django.urls import reverse

from tests.cms import builders

pytestmark = pytest.mark.django_db


def test_pages_are_chinese_by_default_even_for_english_browsers(client, home):
    response = client.get(home.url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert "搜索" in response.content.decode()


def test_english_under_the_en_prefix(client, home):
    about = builders.standard(home)
    response = client.get("/en" + about.url)
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "en"
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Search" in html


def language_links(client, path):
    html = client.get(path).content.decode()
    return {
        "zh": re.search(r'href="([^"]*)" hreflang="zh-CN"', html).group(1),
        "en": re.search(r'href="([^"]*)" hreflang="en"', html).group(1),
    }


def test_language_links_point_to_the_same_page_in_each_language(client, home):
    builders.standard(home)
    assert language_links(client, "/about/") == {"zh": "/about/", "en": "/en/about/"}
    assert language_links(client, "/en/about/") == {"zh": "/about/", "en": "/en/about/"}
    assert language_links(client, "/en/search/?q=x") == {
        "zh": "/search/?q=x",
        "en": "/en/search/?q=x",
    }


def test_pages_set_no_cookie_so_they_can_be_cached(client, home):
    response = client.get(home.url)
    assert response.cookies == {}


def test_admin_is_chinese_by_default(client, home, editor):
    login = client.get(reverse("wagtailadmin_login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in login.content.decode()
    client.force_login(editor)
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert 'lang="zh-hans"' in dashboard.content.decode().lower()
