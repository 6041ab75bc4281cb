"""The figures the indicators give to public pages and self-counting targets (cms/live_figures.py).

Registered from ``IndicatorsConfig.ready()``: ``cms`` asks for a figure by key and never imports
this app (.importlinter, "indicators-leaf"). Each figure is a few queries.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms import live_figures
from cms.live_figures import (
    CAMPAIGN_CATEGORY_HOT_SPOTS_FIXED,
    CAMPAIGN_HOT_SPOTS,
    CAMPAIGN_HOT_SPOTS_FIXED,
    REPORTS_CLOSED_ON_TIME_YEAR,
    REPORTS_RECEIVED_YEAR,
)
from complaints.models import Report
from indicators.hotspots import detect, histories, rules
from indicators.models import HotSpotCampaign
from indicators.selectors import CLOSED_STATES


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _year(year: int) -> tuple[datetime, datetime]:
    return _midnight(date(year, 1, 1)), _midnight(date(year + 1, 1, 1))


def _campaign_start(campaign) -> datetime:
    return _midnight(campaign.start_date)


def _attached(campaign) -> set[tuple[int, int]]:
    """The (cell, category) pairs attached to the campaign, in whichever language's copy of its
    page they were attached (a translation shares the page's ``translation_key``)."""
    return set(
        HotSpotCampaign.objects.filter(
            campaign__translation_key=campaign.translation_key
        ).values_list("grid_cell_id", "category_id")
    )


def campaign_hot_spots(*, year: int, campaign) -> int:
    """Hot spots attached to the campaign."""
    return len(_attached(campaign))


def campaign_hot_spots_fixed(*, year: int, campaign) -> int:
    """Attached hot spots whose cases are all closed and that have not come back since the
    campaign started (docs/indicators.md)."""
    pairs = _attached(campaign)
    start = _campaign_start(campaign)
    r = rules()
    found = histories(
        pairs, since=start - (r.history_windows + 1) * r.window, recurrence=r.recurrence
    )
    return sum(1 for h in found.values() if h.is_fixed and not h.recurred_since(start))


def campaign_category_hot_spots_fixed(*, year: int, campaign) -> int:
    """Hot spots of the campaign's categories when it started, fixed since and not back."""
    start = _campaign_start(campaign)
    end = _midnight(campaign.end_date + timedelta(days=1)) if campaign.end_date else None
    categories = set(campaign.categories.values_list("pk", flat=True))
    if not categories:
        return 0
    detection = detect(as_of=start)
    keys = {spot.key for spot in detection.hot_spots if spot.category_id in categories}
    # The detection's histories stop at the start: read what happened since, in one go.
    count = 0
    for history in histories(keys, since=detection.start).values():
        fixed_at = history.fixed_at
        if fixed_at is None or fixed_at < start or history.recurred_since(start):
            continue
        if end is None or fixed_at < end:
            count += 1
    return count


def reports_received_year(*, year: int, campaign=None) -> int:
    """Reports received in the year (every kind and state, as the indicator table counts)."""
    start, end = _year(year)
    return Report.objects.filter(created_at__gte=start, created_at__lt=end).count()


def reports_closed_on_time_year(*, year: int, campaign=None) -> int:
    """Reports closed in the year on time (``closed_on_time``, set by the workflow)."""
    start, end = _year(year)
    return Report.objects.filter(
        Q(closed_at__gte=start, closed_at__lt=end),
        state__in=CLOSED_STATES,
        closed_on_time=True,
    ).count()


def register_figures() -> None:
    live_figures.register(
        CAMPAIGN_HOT_SPOTS_FIXED,
        _("Hot spots attached to the campaign, fixed and not back"),
        campaign_hot_spots_fixed,
        needs_campaign=True,
    )
    live_figures.register(
        CAMPAIGN_HOT_SPOTS,
        _("Hot spots attached to the campaign"),
        campaign_hot_spots,
        needs_campaign=True,
    )
    live_figures.register(
        CAMPAIGN_CATEGORY_HOT_SPOTS_FIXED,
        _("Hot spots in the campaign's categories at its start, fixed in its period and not back"),
        campaign_category_hot_spots_fixed,
        needs_campaign=True,
    )
    live_figures.register(
        REPORTS_CLOSED_ON_TIME_YEAR,
        _("Reports closed on time this year"),
        reports_closed_on_time_year,
    )
    live_figures.register(
        REPORTS_RECEIVED_YEAR, _("Reports received this year"), reports_received_year
    )
