"""Live figures: numbers computed from the case data that public pages show and targets count.

The pages of ``cms`` may not import the apps that compute figures (``indicators``, see
.importlinter): those apps register their figures here from their ``AppConfig.ready()``, and a
target or a campaign page asks for a figure by its key. A key that nothing registered (the
computing app not installed) gives no value, and the page falls back to its manual figure.

A figure is ``compute(*, year, campaign) -> number``: ``year`` is the targets page's year (or the
current one), ``campaign`` a ``CampaignPage`` or None. A figure that needs a campaign
(``needs_campaign``) gives no value without one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

# The keys the indicators app registers (indicators/live_figures.py), named here so that pages
# can ask for them without importing it.
CAMPAIGN_HOT_SPOTS = "campaign_hot_spots"
CAMPAIGN_HOT_SPOTS_FIXED = "campaign_hot_spots_fixed"
CAMPAIGN_CATEGORY_HOT_SPOTS_FIXED = "campaign_category_hot_spots_fixed"
REPORTS_RECEIVED_YEAR = "reports_received_year"
REPORTS_CLOSED_ON_TIME_YEAR = "reports_closed_on_time_year"


@dataclass(frozen=True)
class LiveFigure:
    key: str
    label: str | Promise
    compute: Callable[..., int | float | Decimal | None]
    needs_campaign: bool = False


_FIGURES: dict[str, LiveFigure] = {}


def register(
    key: str,
    label: str | Promise,
    compute: Callable[..., int | float | Decimal | None],
    *,
    needs_campaign: bool = False,
) -> None:
    """Make a figure available to targets and campaign pages under ``key``."""
    _FIGURES[key] = LiveFigure(key=key, label=label, compute=compute, needs_campaign=needs_campaign)


def get(key: str) -> LiveFigure | None:
    return _FIGURES.get(key)


def choices() -> list[tuple[str, Any]]:
    """The registered figures as form choices (a model field's callable ``choices``)."""
    return [(figure.key, figure.label) for figure in _FIGURES.values()]


def value(key: str, *, year: int, campaign=None) -> Decimal | None:
    """The figure's current value, or None (not registered, or it needs a missing campaign)."""
    figure = _FIGURES.get(key)
    if figure is None or (figure.needs_campaign and campaign is None):
        return None
    result = figure.compute(year=year, campaign=campaign)
    return None if result is None else Decimal(str(result))


def figures_changed(page) -> None:
    """A figure a page shows changed outside the page (a hot spot attached to a campaign):
    forget the page's cached copies (portal/page_cache.py), as publishing it would."""
    from cms.signals import purge_page

    purge_page(page)
