"""Every page type renders its content for a resident, in Chinese by default."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cms.models import CampaignPage, CaseStudyPage
from tests.cms import builders

pytestmark = pytest.mark.django_db


def get(client, page):
    response = client.get(page.url)
    assert response.status_code == 200, page.url
    return response.content.decode()


def test_home_page_shows_entries_campaigns_cases_and_news(client, home, today):
    index = builders.campaign_index(home)
    builders.campaign(index, title="正在进行的整治", start=today - datetime.timedelta(days=5))
    builders.campaign(
        index,
        slug="old",
        title="已经结束的整治",
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 12, 31),
    )
    builders.case_study(home)
    builders.news(home)
    html = get(client, home)
    assert "共建整洁有序的美丽滨湖" in html
    assert "正在进行的整治" in html
    assert "已经结束的整治" not in html  # only current campaigns on the front page
    assert "农贸市场周边占道经营整治" in html
    assert "国庆假期热线正常受理" in html
    assert 'lang="zh-Hans"' in html or 'lang="zh-CN"' in html


def test_campaign_page_shows_period_goals_departments_gallery_and_categories(client, home):
    page = builders.campaign(builders.campaign_index(home), end=datetime.date(2026, 12, 31))
    html = get(client, page)
    assert "市容热点难点问题集中整治" in html
    assert "完成不少于 45 个热点难点问题整改" in html
    assert "镇/街道城管中队" in html  # responsible department
    assert "占道经营" in html  # complaint category concerned
    assert "2026" in html


def test_campaign_cannot_end_before_it_starts(home):
    page = CampaignPage(
        title="x",
        slug="x",
        start_date=datetime.date(2026, 5, 1),
        end_date=datetime.date(2026, 4, 1),
        goals="<p>x</p>",
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "end_date" in error.value.message_dict


def test_campaign_index_separates_current_and_past(client, home, today):
    index = builders.campaign_index(home)
    builders.campaign(index, title="本月行动", start=today)
    builders.campaign(
        index,
        slug="past",
        title="去年行动",
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 2, 1),
    )
    response = client.get(index.url)
    assert [c.title for c in response.context["current_campaigns"]] == ["本月行动"]
    assert [c.title for c in response.context["other_campaigns"]] == ["去年行动"]


def test_targets_page_renders_progress_bars(client, home):
    page = builders.targets_page(home)
    html = get(client, page)
    assert "违法建设拆除" in html
    assert "区城管执法局" in html
    # 24650 of 30000 is 82 %; 1120 of 1050 is capped at 100 % for the bar; 0 of 18 is 0 %.
    assert [t.progress_percent for t in page.targets.all()] == [82, 100, 0]
    assert "82%" in html
    assert 'value="82"' in html or 'aria-valuenow="82"' in html
    assert 'value="100"' in html or 'aria-valuenow="100"' in html
    assert page.overall_progress() == 61
    assert page.completed_count() == 1


def test_target_figure_changes_are_kept_in_revisions(home):
    page = builders.targets_page(home)
    targets = list(page.targets.all())
    targets[0].achieved = 28000
    page.targets = targets
    page.save_revision().publish()
    revisions = page.revisions.order_by("created_at")
    figures = [r.as_object().targets.first().achieved for r in revisions]
    assert figures[0] == 24650 and figures[-1] == 28000


def test_case_study_page_shows_place_category_and_story(client, home):
    page = builders.case_study(home)
    html = get(client, page)
    for text in ("蠡园街道", "占道经营", "划定临时疏导点", "同类投诉下降九成"):
        assert text in html


def test_case_study_photo_needs_a_description(home):
    page = CaseStudyPage(
        title="x",
        slug="x",
        completed_on=datetime.date(2026, 1, 1),
        problem="<p>x</p>",
        actions="<p>x</p>",
        outcome="<p>x</p>",
        after_image_id=1,
        after_alt_text="",
    )
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "after_alt_text" in error.value.message_dict


def test_news_index_lists_newest_first_and_links_feeds(client, home):
    index, _ = builders.news(
        home,
        items=[
            ("a", "较早的通知", datetime.date(2026, 1, 5)),
            ("b", "最新的通知", datetime.date(2026, 9, 1)),
        ],
    )
    response = client.get(index.url)
    html = response.content.decode()
    assert html.index("最新的通知") < html.index("较早的通知")
    assert "/news/feed/rss/" in html


def test_news_and_standard_pages_render_their_body(client, home):
    _, (item,) = builders.news(home)
    assert "国庆假期热线正常受理。" in get(client, item)
    assert "区城市管理局负责全区市容环境工作。" in get(client, builders.standard(home))


def test_unknown_page_gets_the_portal_404(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "滨湖" in response.content.decode() or "404" in response.content.decode()


def test_server_error_page_renders_without_a_database(rf):
    from cms.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"500" in response.content or "错误".encode() in response.content
