"""Reads for the public site: what the home page shows and the figures in its live slot.

The page models call these reads from ``get_context``, so the reads find the page classes in the
app registry rather than importing ``cms.models`` (no import cycle: .importlinter).
"""

import re

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.performance.selectors import public_headline, public_performance


def current_campaigns(*, home, limit: int = 3):
    CampaignPage = apps.get_model("cms", "CampaignPage")

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
    CaseStudyPage = apps.get_model("cms", "CaseStudyPage")

    return (
        CaseStudyPage.objects.descendant_of(home)
        .live()
        .select_related("town", "category", "after_image", "listing_image")
        .order_by("-completed_on")[:limit]
    )


def latest_news(*, home, limit: int = 4):
    NewsPage = apps.get_model("cms", "NewsPage")

    return NewsPage.objects.descendant_of(home).live().order_by("-date", "-pk")[:limit]


def current_targets_page(*, home):
    TargetsPage = apps.get_model("cms", "TargetsPage")

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
    The published targets feed it, and this year's case figures come from the same read as
    the public performance page (complaints.performance.selectors), so both agree;
    a figure withheld there (fewer than 5 reports) is left out here.
    """
    figures = []
    url = performance_url()
    performance = public_performance()
    year = {"year": performance.year_first.year}
    labels = {
        "received": _("reports received in %(year)s") % year,
        "closed": _("reports closed in %(year)s") % year,
        "on_time": _("closed on time in %(year)s") % year,
        "satisfaction": _("residents satisfied in %(year)s") % year,
    }
    for figure in public_headline(performance.district.year):
        if not figure["withheld"]:
            figures.append({"value": figure["value"], "label": labels[figure["key"]], "url": url})
    targets_page = current_targets_page(home=home)
    if targets_page is not None:
        targets = list(targets_page.targets.all())
        if targets:
            figures.append(
                {
                    "value": f"{targets_page.overall_progress(targets)}%",
                    "label": _("average progress of the %(year)s targets")
                    % {"year": targets_page.year},
                    "url": targets_page.url,
                }
            )
            figures.append(
                {
                    "value": f"{targets_page.completed_count(targets)}/{len(targets)}",
                    "label": _("targets reached"),
                    "url": targets_page.url,
                }
            )
    return figures


def performance_url() -> str | None:
    """The public performance page, reached by URL name (the public pages never import the
    indicators app that serves it)."""
    try:
        return reverse("indicators:performance")
    except NoReverseMatch:
        return None


def reporting_entries() -> dict:
    """Where the home and campaign pages send residents who want to report something."""
    return {
        "complaint_url": reverse("complaints:report_create"),
        "violation_url": reverse("complaints:informant_report_create"),
    }


def _index_pages(*sections) -> list:
    """The parent (index page) of each section's first item, or None, in one query."""
    from wagtail.models import Page

    paths = [items[0].path[: -Page.steplen] if items else None for items in sections]
    found = {page.path: page for page in Page.objects.filter(path__in=[p for p in paths if p])}
    return [found.get(path) for path in paths]


def home_page_sections(*, home) -> dict:
    campaigns = list(current_campaigns(home=home))
    case_studies = list(latest_case_studies(home=home))
    news_items = list(latest_news(home=home))
    campaign_index, case_study_index, news_index = _index_pages(campaigns, case_studies, news_items)
    return {
        **reporting_entries(),
        "campaigns": campaigns,
        "campaign_index": campaign_index,
        "case_studies": case_studies,
        "case_study_index": case_study_index,
        "news_items": news_items,
        "news_index": news_index,
        "live_figures": live_figures(home=home),
        "performance_url": performance_url(),
    }


def in_site_language(pages, *, site):
    """``pages`` limited to ``site``'s tree in the active language.

    Under /en/ that is the English translation of the site's home and what lies below it; in
    Chinese (or while the home has no English version) the Chinese tree, like ``in_site``.
    """
    return pages.descendant_of(site.root_page.localized, inclusive=True)


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

    pages = in_site_language(Page.objects.live().public(), site=site)
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
