"""Which page type may sit under which: the tree rules publicity staff rely on."""

import pytest
from wagtail.models import Page

from cms.models import (
    CampaignIndexPage,
    CampaignPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    StandardPage,
    TargetsPage,
)
from tests.cms import builders

pytestmark = pytest.mark.django_db


def test_home_page_accepts_the_sections_and_nothing_deeper(home):
    for model in (CampaignIndexPage, CaseStudyIndexPage, NewsIndexPage, TargetsPage, StandardPage):
        assert model.can_create_at(home), model
    for model in (CampaignPage, CaseStudyPage, NewsPage, HomePage):
        assert not model.can_create_at(home), model


def test_only_one_home_page_and_one_index_of_each_kind(home):
    root = Page.get_first_root_node()
    assert not HomePage.can_create_at(root)  # max_count = 1
    builders.campaign_index(home)
    assert not CampaignIndexPage.can_create_at(home)


def test_children_live_only_under_their_own_index(home):
    campaign_index = builders.campaign_index(home)
    news_index, _ = builders.news(home)
    assert CampaignPage.can_create_at(campaign_index)
    assert not CampaignPage.can_create_at(news_index)
    assert NewsPage.can_create_at(news_index)
    assert not NewsPage.can_create_at(campaign_index)
    assert not CaseStudyPage.can_create_at(campaign_index)
    campaign = builders.campaign(campaign_index)
    for model in (CampaignPage, NewsPage, StandardPage, CaseStudyPage):
        assert not model.can_create_at(campaign), model


def test_standard_pages_nest(home):
    about = builders.standard(home)
    assert StandardPage.can_create_at(about)
    assert not CampaignIndexPage.can_create_at(about)
