"""The statistics screen of the Wagtail admin and its CSV/XLSX exports."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from indicators import charts
from indicators.columns import COLUMNS
from indicators.exports import CONTENT_TYPES, table_response
from indicators.forms import StatisticsFilterForm
from indicators.periods import Period, PeriodKind
from indicators.scores import score_table, weights_for
from indicators.selectors import (
    DIMENSIONS,
    indicator_table,
    monthly_trend,
    received_by_category,
)
from indicators.town_scope import STATISTICS_PERMISSION, StatisticsScope, statistics_scope

TREND_MONTHS = 12


def may_view_statistics(user) -> bool:
    """District-wide statistics (the hot spots and every screen that is not town-scoped)."""
    return bool(user.is_active and user.has_perm(STATISTICS_PERMISSION))


def may_open_statistics_screen(user) -> bool:
    """The statistics screen: district-wide, or a town-scoped user's own town."""
    return statistics_scope(user) is not None


def _last_months(day: date, count: int) -> list[Period]:
    months = [Period.containing(PeriodKind.MONTH, day)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months


class StatisticsView(WagtailAdminTemplateMixin, TemplateView):
    """Indicators per town, community, department or category, the month's ranking of towns
    and departments with scores and grades, charts, and exports of each table."""

    template_name = "indicators/admin/statistics.html"
    page_title = gettext_lazy("Performance statistics")
    header_icon = "table"

    scope: StatisticsScope

    def dispatch(self, request, *args, **kwargs):
        scope = statistics_scope(request.user)
        if scope is None:
            raise PermissionDenied
        self.scope = scope
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        self.form = StatisticsFilterForm(request.GET or None, town_ids=self.scope.town_ids)
        if self.form.asks_for_another_town():
            raise PermissionDenied
        self.filters = self.form.filters()
        self.period = Period.containing(self.filters["kind"], self.filters["day"])
        self.month = Period.containing(PeriodKind.MONTH, self.filters["day"])
        fmt = request.GET.get("export")
        if fmt in CONTENT_TYPES:
            return self.export(fmt, request.GET.get("table", "indicators"))
        return super().get(request, *args, **kwargs)

    # --- the figures ---------------------------------------------------------------------

    def _narrowing(self) -> dict:
        return {key: self.filters[key] for key in ("town", "department", "category")}

    def indicators(self):
        return indicator_table(
            dimension=self.filters["dimension"], period=self.period, **self._narrowing()
        )

    def ranking(self, level: str):
        """The month's ranking of every town or department (the filters do not apply); a
        town-scoped user sees the rows of their towns and of their towns' departments only,
        each with its rank among all."""
        table = indicator_table(dimension=level, period=self.month, include_empty=True)
        weights = weights_for(self.month)
        scores = score_table(table=table, weights=weights)
        if self.scope.town_ids is not None:
            visible: set[int] | frozenset[int] = (
                self.scope.town_ids if level == "town" else self.scope.department_ids() or set()
            )
            scores = [score for score in scores if score.row.key in visible]
        return weights, scores

    # --- the screen ----------------------------------------------------------------------

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = self.indicators()
        weights, towns = self.ranking("town")
        _weights, departments = self.ranking("department")
        trend = monthly_trend(
            months=_last_months(self.filters["day"], TREND_MONTHS), **self._narrowing()
        )
        categories = received_by_category(period=self.period, **self._narrowing())
        context.update(
            form=self.form,
            period=self.period,
            month=self.month,
            dimension_label=DIMENSIONS[self.filters["dimension"]][2],
            columns=COLUMNS,
            rows=[
                {"label": row.label, "cells": [c.display(row) for c in COLUMNS]}
                for row in table.rows
            ],
            total={"label": table.total.label, "cells": [c.display(table.total) for c in COLUMNS]},
            computed_at=table.computed_at,
            weights=weights,
            town_ranking=towns,
            department_ranking=departments,
            trend=trend,
            trend_chart=charts.grouped_columns(
                [
                    (f"{point['period'].first:%m}", [point["received"], point["closed"]])
                    for point in trend
                ],
                series=2,
            ),
            town_chart=charts.horizontal_bars(
                [
                    (s.row.label, s.score, f"{s.score:.1f} {s.grade}")
                    for s in towns
                    if s.score is not None
                ]
            ),
            categories=categories,
            category_chart=charts.horizontal_bars([(label, n, str(n)) for label, n in categories]),
            export_query=self.request.GET.urlencode(),
        )
        return context

    # --- the exports ---------------------------------------------------------------------

    def export(self, fmt: str, which: str):
        if which in ("towns", "departments"):
            weights, scores = self.ranking("town" if which == "towns" else "department")
            version = weights.version if weights else ""
            header = [
                _("Rank"),
                _("Town") if which == "towns" else _("Department"),
                _("Score"),
                _("Grade"),
                _("Weights version"),
                *[str(c.label) for c in COLUMNS],
            ]
            rows = [
                [
                    s.rank,
                    s.row.label,
                    None if s.score is None else round(s.score, 1),
                    s.grade,
                    version,
                    *[c.export(s.row) for c in COLUMNS],
                ]
                for s in scores
            ]
            name = f"ranking-{which}-{self.month.slug()}"
            title = _("Ranking")
        else:
            table = self.indicators()
            header = [str(DIMENSIONS[table.dimension][2]), *[str(c.label) for c in COLUMNS]]
            rows = [
                [row.label, *[c.export(row) for c in COLUMNS]] for row in [*table.rows, table.total]
            ]
            name = f"indicators-{table.dimension}-{self.period.slug()}"
            title = _("Indicators")
        return table_response(fmt=fmt, filename=name, title=title, header=header, rows=rows)
