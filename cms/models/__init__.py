from cms.models.base import BasePage
from cms.models.campaigns import CampaignGalleryImage, CampaignIndexPage, CampaignPage
from cms.models.case_studies import CaseStudyIndexPage, CaseStudyPage
from cms.models.home import HomePage
from cms.models.news import NewsIndexPage, NewsPage
from cms.models.reward_scheme import RewardSchemePage
from cms.models.site_settings import PortalSettings
from cms.models.standard import StandardPage
from cms.models.targets import Target, TargetsPage

__all__ = [
    "BasePage",
    "CampaignGalleryImage",
    "CampaignIndexPage",
    "CampaignPage",
    "CaseStudyIndexPage",
    "CaseStudyPage",
    "HomePage",
    "NewsIndexPage",
    "NewsPage",
    "PortalSettings",
    "RewardSchemePage",
    "StandardPage",
    "Target",
    "TargetsPage",
]
