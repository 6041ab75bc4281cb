"""Reads for the public site: what the home page shows and the figures in its live slot."""

import re

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


def current_campaigns(*, home, limit: int = 3):
    from cms.models import CampaignPage

    today = timezone.localdate()
    return (
        CampaignPage.objects.descendant_of(home)
        .live()
        .filter(start_date__lte=today)
        .exclude(end_date__lt=today)
        .select_related("listing_image")
        .order_by("-start_date")[:limit]
    )


def latest_case_studies(*, home, limit: int = 3):
    from cms.models import CaseStudyPage

    return (
        CaseStudyPage.objects.descendant_of(home)
        .live()
        .select_related("town", "category", "after_image", "listing_image")
        .order_by("-completed_on")[:limit]
    )


def latest_news(*, home, limit: int = 4):
    from cms.models import NewsPage

    return NewsPage.objects.descendant_of(home).live().order_by("-date", "-pk")[:limit]


def current_targets_page(*, home):
    from cms.models import TargetsPage

    return (
        TargetsPage.objects.descendant_of(home)
        .live()
        .filter(year__lte=timezone.localdate().year)
        .order_by("-year")
        .first()
    )


def live_figures(*, home) -> list[dict]:
    """The figures for the home page's live slot, each {value, label, url}.

    Every provider adds what it can measure; the slot hides itself when the list is empty.
    Today the published targets feed it; the case statistics add theirs here.
    """
    figures = []
    targets_page = current_targets_page(home=home)
    if targets_page is not None:
        targets = list(targets_page.targets.all())
        if targets:
            figures.append(
                {
                    "value": f"{targets_page.overall_progress()}%",
                    "label": _("average progress of the %(year)s targets")
                    % {"year": targets_page.year},
                    "url": targets_page.url,
                }
            )
            figures.append(
                {
                    "value": f"{targets_page.completed_count()}/{len(targets)}",
                    "label": _("targets reached"),
                    "url": targets_page.url,
                }
            )
    return figures


def reporting_entries() -> dict:
    """Where the home and campaign pages send residents who want to report something."""
    return {
        "complaint_url": reverse("complaints:report_create"),
        "violation_url": reverse("complaints:informant_report_create"),
    }


def home_page_sections(*, home) -> dict:
    return {
        **reporting_entries(),
        "campaigns": current_campaigns(home=home),
        "case_studies": latest_case_studies(home=home),
        "news_items": latest_news(home=home),
        "live_figures": live_figures(home=home),
    }


# Han characters (CJK Unified Ideographs and extension A).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def search_pages(*, site, query: str):
    """Published public pages of ``site`` matching ``query``, best matches first.

    The full-text backends (SQLite FTS5, PostgreSQL ``simple``) split words on spaces and
    punctuation, so a run of Chinese characters is one "word" and 通知 would not find
    国庆假期热线正常受理的通知. For queries with Han characters we match every term as a
    substring of the search index's plain text instead (title matches first).
    """
    from django.db.models import Case, IntegerField, Q, Value, When
    from wagtail.models import Page
    from wagtail.search.models import IndexEntry

    pages = Page.objects.live().public().in_site(site)
    if not HAN.search(query):
        return list(pages.specific().search(query))
    terms = query.split()
    entries = IndexEntry.objects.all()
    for term in terms:
        entries = entries.filter(Q(title__icontains=term) | Q(body__icontains=term))
    page_ids = {int(pk) for pk in entries.values_list("object_id", flat=True) if pk.isdigit()}
    title_match = Q()
    for term in terms:
        title_match &= Q(title__icontains=term)
    return list(
        pages.filter(pk__in=page_ids)
        .annotate(
            title_rank=Case(
                When(title_match, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("title_rank", "-first_published_at")
        .specific()
    )
