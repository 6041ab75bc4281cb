"""The public performance page (/performance/, /en/performance/): received, closed, on-time
closure and satisfaction this month and this year, by town, with charts.

Aggregates only, from the same read as the home page's live figures
(``complaints.performance.selectors``), so the two agree; no figure rests on fewer than
``MINIMUM_REPORTS`` reports. Anonymous answers are kept in the page cache like the public
report list (settings.PORTAL_PAGE_CACHE_LIST_VIEWS).
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from complaints.performance.selectors import (
    MINIMUM_REPORTS,
    PublicCounts,
    display_count,
    display_rate,
    public_headline,
    public_performance,
)
from indicators import charts

PERIODS = ("year", "month")


def _cells(counts: PublicCounts) -> list[dict]:
    """The four figures of one row, each with its column's name (the narrow layout shows it)
    and whether it was withheld."""
    return [
        {"label": label, "text": text, "withheld": text == "—"}
        for label, text in (
            (pgettext("public performance", "Received"), display_count(counts.received)),
            (pgettext("public performance", "Closed"), display_count(counts.closed)),
            (pgettext("public performance", "Closed on time"), display_rate(counts.on_time_rate)),
            (pgettext("public performance", "Satisfied"), display_rate(counts.satisfaction_rate)),
        )
    ]


def _chart(rows, period: str, measure: str, *, rate: bool) -> dict:
    items = []
    for row in rows:
        value = getattr(getattr(row, period), measure)
        if value is not None:
            items.append((row.name, value, display_rate(value) if rate else str(value)))
    return charts.horizontal_bars(items, width=420)


@require_GET
def performance(request):
    period = request.GET.get("period")
    if period not in PERIODS:
        period = "year"
    figures = public_performance()
    towns = figures.towns
    district = figures.district
    if period == "year":
        period_label = _("%(year)s so far") % {"year": figures.year_first.year}
    else:
        period_label = f"{figures.month_first:%Y-%m}"
    context = {
        "figures": figures,
        "period": period,
        "period_label": period_label,
        "minimum": MINIMUM_REPORTS,
        "year_label": str(figures.year_first.year),
        "month_label": f"{figures.month_first:%Y-%m}",
        "headline_month": public_headline(district.month),
        "headline_year": public_headline(district.year),
        "rows": [{"name": row.name, "cells": _cells(getattr(row, period))} for row in towns],
        "district_row": {"name": _("Whole district"), "cells": _cells(getattr(district, period))},
        "charts": [
            {
                "id": "chart-received",
                "caption": _("Reports received by town, %(period)s") % {"period": period_label},
                "chart": _chart(towns, period, "received", rate=False),
            },
            {
                "id": "chart-on-time",
                "caption": _("Closed on time by town, %(period)s") % {"period": period_label},
                "chart": _chart(towns, period, "on_time_rate", rate=True),
            },
            {
                "id": "chart-satisfaction",
                "caption": _("Residents satisfied by town, %(period)s") % {"period": period_label},
                "chart": _chart(towns, period, "satisfaction_rate", rate=True),
            },
        ],
    }
    return render(request, "indicators/public/performance.html", context)
