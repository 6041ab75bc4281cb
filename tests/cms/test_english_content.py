"""The English site shows English content: locales, translated pages, fallback, settings, slugs."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page

from cms.models import CampaignPage, HomePage, PortalSettings, StandardPage
from tests.cms import builders

pytestmark = pytest.mark.django_db

NOTICE = "This page has not been translated yet; showing the Chinese version."


def translate(page, **fields):
    """The English translation of ``page`` through Wagtail's API, edited and published."""
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    for name, value in fields.items():
        setattr(english, name, value)
    english.save_revision().publish()
    english.refresh_from_db()
    return english


@pytest.fixture
def english_home(home):
    return translate(home, title="Binhu Urban Management", hero_title="A clean, orderly Binhu")


def test_chinese_is_the_default_locale_and_english_exists():
    assert Locale.get_default().language_code == "zh-hans"
    assert Locale.objects.filter(language_code="en").exists()


def test_existing_pages_stay_in_the_chinese_tree(home):
    assert home.locale.language_code == "zh-hans"
    about = builders.standard(home)
    assert about.locale.language_code == "zh-hans"


def test_english_home_shows_english_content(client, home, english_home):
    english = client.get("/en/")
    assert english.status_code == 200
    html = english.content.decode()
    assert "A clean, orderly Binhu" in html
    assert "共建整洁有序的美丽滨湖" not in html
    assert NOTICE not in html
    chinese = client.get("/").content.decode()
    assert "共建整洁有序的美丽滨湖" in chinese
    assert "A clean, orderly Binhu" not in chinese


def test_english_translation_is_served_under_en_with_the_same_slug(client, home, english_home):
    index = builders.campaign_index(home)
    campaign = builders.campaign(index)
    english = translate(campaign, title="Hot spots joint enforcement")
    assert english.url == "/en/campaigns/hot-spots/"
    html = client.get("/en/campaigns/hot-spots/").content.decode()
    assert "Hot spots joint enforcement" in html
    assert NOTICE not in html


def test_untranslated_page_falls_back_to_chinese_with_a_notice(client, home, english_home):
    index = builders.campaign_index(home)
    builders.campaign(index)
    response = client.get("/en/campaigns/hot-spots/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "市容热点难点问题集中整治" in html
    assert NOTICE in html
    # The Chinese content is marked as Chinese for screen readers and fonts.
    assert 'id="main" class="site-main" tabindex="-1" lang="zh-CN"' in html
    # The same page in Chinese carries no notice.
    assert NOTICE not in client.get("/campaigns/hot-spots/").content.decode()


def test_untranslated_home_falls_back_too(client, home):
    response = client.get("/en/")
    assert response.status_code == 200
    assert NOTICE in response.content.decode()


def test_a_draft_translation_is_not_shown(client, home, english_home):
    about = builders.standard(home)
    english = about.copy_for_translation(Locale.objects.get(language_code="en"))
    english.title = "About (draft)"
    english.save_revision()
    html = client.get("/en" + about.url).content.decode()
    assert "About (draft)" not in html
    assert NOTICE in html


def test_unknown_english_path_is_still_a_404(client, home, english_home):
    assert client.get("/en/no-such-page/").status_code == 404


def test_menu_shows_english_titles_and_keeps_untranslated_sections(client, home, english_home):
    index = builders.campaign_index(home)
    about = builders.standard(home, show_in_menus=True)  # not translated
    translate(index, title="Campaigns")
    html = client.get("/en/").content.decode()
    assert '<a href="/en/campaigns/">Campaigns</a>' in html
    assert f'<a href="{about.url}">{about.title}</a>' in html


def test_english_search_and_feed_read_the_english_pages(client, home, english_home):
    index, (item,) = builders.news(home)
    translate(index, title="Notices and news")
    translate(item, title="The hotline stays open over the holiday")
    call_command("update_index", verbosity=0)  # as the search tests do
    english = client.get("/en/search/", {"q": "hotline"}).content.decode()
    assert "The hotline stays open over the holiday" in english
    chinese = client.get("/search/", {"q": "热线"}).content.decode()
    assert "国庆假期热线正常受理" in chinese
    assert "The hotline stays open" not in chinese
    feed = client.get("/en/news/feed/rss/").content.decode()
    assert "The hotline stays open over the holiday" in feed
    assert "国庆假期热线正常受理" not in feed
    assert "国庆假期热线正常受理" in client.get("/news/feed/rss/").content.decode()


def test_site_settings_have_english_texts(client, home, english_home):
    site = home.get_site()
    settings = PortalSettings.for_site(site)
    settings.address = "滨湖区蠡湖大道 1 号"
    settings.address_en = "1 Lihu Avenue, Binhu District"
    settings.footer_text = "工作日 8:30–17:00 受理"
    settings.footer_text_en = "Open on working days, 8:30–17:00"
    settings.save()
    english = client.get("/en/").content.decode()
    assert "Binhu District Urban Management Bureau" in english
    assert "1 Lihu Avenue, Binhu District" in english
    assert "Open on working days" in english
    assert "滨湖区城市管理局" not in english
    chinese = client.get("/").content.decode()
    assert "滨湖区城市管理局" in chinese
    assert "滨湖区蠡湖大道 1 号" in chinese


# --- ASCII slugs --------------------------------------------------------------------------


def create_through_admin(client, parent, title, slug):
    url = reverse("wagtailadmin_pages:add", args=("cms", "standardpage", parent.pk))
    form = client.get(url).context["form"]
    data = {
        "title": title,
        "slug": slug,
        "body-count": "0",
        "action-publish": "action-publish",
        "comments-TOTAL_FORMS": "0",
        "comments-INITIAL_FORMS": "0",
        "comments-MIN_NUM_FORMS": "0",
        "comments-MAX_NUM_FORMS": "1000",
    }
    for name in form.fields:
        data.setdefault(name, "")
    data["title"], data["slug"] = title, slug
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    return StandardPage.objects.child_of(parent).get(title=title)


@pytest.fixture
def admin_client(client, make_staff):
    client.force_login(make_staff(None, "root"))
    return client


def test_admin_page_with_a_chinese_title_gets_a_pinyin_slug(admin_client, home):
    # The editor's script copies the Chinese title into the slug; the server makes it ASCII.
    page = create_through_admin(admin_client, home, "城管执法进社区", "城管执法进社区")
    assert page.slug == "cheng-guan-zhi-fa-jin-she-qu"
    assert page.url == "/cheng-guan-zhi-fa-jin-she-qu/"


def test_admin_pinyin_slug_is_made_unique(admin_client, home):
    create_through_admin(admin_client, home, "城管执法进社区", "城管执法进社区")
    second = create_through_admin(admin_client, home, "城管执法 进社区", "城管执法-进社区")
    assert second.slug == "cheng-guan-zhi-fa-jin-she-qu-2"


def test_admin_editor_can_choose_an_english_slug(admin_client, home):
    page = create_through_admin(admin_client, home, "关于我们", "about-us")
    assert page.slug == "about-us"


def test_pages_made_in_code_get_ascii_slugs(home):
    page = StandardPage(title="便民服务指南")
    home.add_child(instance=page)
    assert page.slug == "bian-min-fu-wu-zhi-nan"


def test_page_classes_share_the_slug_rule():
    for model in (HomePage, CampaignPage, StandardPage):
        assert model.base_form_class.__name__ == "BasePageForm"
    assert Page.objects.filter(slug__regex=r"[^\x00-\x7f]").count() == 0


def test_the_chinese_copy_under_en_is_purged_when_the_chinese_page_changes(
    client, home, english_home
):
    from portal import page_cache

    about = builders.standard(home)  # untranslated: /en/about/ serves it in Chinese
    assert NOTICE in client.get("/en/about/").content.decode()
    assert client.get("/en/about/")[page_cache.STATUS_HEADER] == "hit"
    about.title = "关于本局"
    about.save_revision().publish()
    assert "关于本局" in client.get("/en/about/").content.decode()


def test_sitemap_lists_chinese_pages_and_their_english_translations(client, home, english_home):
    about = builders.standard(home)
    translate(about, title="About us")
    draft = builders.standard(home, title="隐私说明", slug="privacy")
    draft.copy_for_translation(Locale.objects.get(language_code="en"))  # an unpublished draft
    xml = client.get("/sitemap.xml").content.decode()
    paths = {loc.split("localhost", 1)[-1] for loc in re.findall(r"<loc>([^<]+)</loc>", xml)}
    assert {"/", "/about/", "/privacy/", "/en/", "/en/about/"} <= paths
    assert "/en/privacy/" not in paths


def test_staff_edit_the_english_texts_of_reference_data(admin_client, home):
    from complaints.models import Department

    category = builders.category()
    edit = reverse("wagtailsnippets_complaints_category:edit", args=(category.pk,))
    html = admin_client.get(edit).content.decode()
    for field in ("name_en", "major_name_en", "hint_en"):
        assert f'name="{field}"' in html, field
    department = Department.objects.first()
    edit = reverse("wagtailsnippets_complaints_department:edit", args=(department.pk,))
    assert 'name="name_en"' in admin_client.get(edit).content.decode()
    html = admin_client.get(reverse("reward-rules:add")).content.decode()
    assert 'name="evidence_note_en"' in html
    settings_url = reverse(
        "wagtailsettings:edit", args=("cms", "portalsettings", home.get_site().pk)
    )
    html = admin_client.get(settings_url).content.decode()
    for field in ("district_name_en", "bureau_name_en", "address_en", "footer_text_en"):
        assert f'name="{field}"' in html, field


def test_an_editor_translates_a_page_with_the_translate_action(client, home, editor):
    english_locale = Locale.objects.get(language_code="en")
    about = builders.standard(home)
    client.force_login(editor)
    # The home page first (a translation goes under its parent's translation), then the page.
    for page in (home, about):
        url = reverse("simple_translation:submit_page_translation", args=(page.pk,))
        assert client.get(url).status_code == 200
        response = client.post(url, {"locales": [english_locale.pk]})
        assert response.status_code == 302, response.content.decode()[:500]
    english = about.get_translation(english_locale)
    assert english.get_parent().pk == home.get_translation(english_locale).pk
    assert english.slug == "about"
    assert not english.live  # a draft, for the editor to translate and submit
