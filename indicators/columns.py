"""The columns of the indicator table: one list for the screen and for the CSV/XLSX export."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from indicators.selectors import IndicatorRow


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    value: Callable[[IndicatorRow], float | int | None]
    kind: str = "count"  # count, percent, hours, ratio

    def display(self, row: IndicatorRow) -> str:
        value = self.value(row)
        if value is None:
            return "—"
        if self.kind == "percent":
            return f"{value:.1f} %"
        if self.kind == "hours":
            return f"{value:.1f}"
        if self.kind == "ratio":
            return f"{value:.2f}"
        return str(value)

    def export(self, row: IndicatorRow):
        value = self.value(row)
        if value is None or self.kind == "count":
            return value
        return round(value, 2)


COLUMNS = (
    Column("received", _("Reports received"), lambda r: r.received),
    Column("registration_rate", _("Registration rate"), lambda r: r.registration_rate, "percent"),
    Column("due", _("Due to close"), lambda r: r.due),
    Column("closure_rate", _("Closure rate"), lambda r: r.closure_rate, "percent"),
    Column("on_time_rate", _("On-time closure rate"), lambda r: r.on_time_rate, "percent"),
    Column("rework_rate", _("Rework rate"), lambda r: r.rework_rate, "percent"),
    Column(
        "average_hours", _("Average handling (working hours)"), lambda r: r.average_hours, "hours"
    ),
    Column("p90_hours", _("90th percentile (working hours)"), lambda r: r.p90_hours, "hours"),
    Column("overdue_now", _("Overdue now"), lambda r: r.overdue_now),
    Column("satisfaction_rate", _("Satisfaction rate"), lambda r: r.satisfaction_rate, "percent"),
    Column("response_rate", _("Response rate"), lambda r: r.response_rate, "percent"),
    Column(
        "supporters_per_report",
        _("Supporters per report"),
        lambda r: r.supporters_per_report,
        "ratio",
    ),
    Column("callbacks", _("Callbacks made"), lambda r: r.callbacks),
)
