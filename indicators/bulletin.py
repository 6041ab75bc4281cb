"""The monthly assessment bulletin (通报): the ranking of towns and departments with their
indicators, grades and change from the month before, and the recurring hot spots, kept as a
``Bulletin`` (the figures as JSON and a PDF) for the admin to download (docs/indicators.md,
"The monthly bulletin").

The worker makes last month's bulletin on the first working day of a month (``manage.py
generate_bulletin --if-due``, called by ``run_worker``'s scheduler); staff with the permission
``indicators.add_bulletin`` make or remake one on demand (the admin's bulletin list, which
queues ``indicators.bulletin_tasks.bulletin_generate_task``).

Cost: two rankings per month (this one and the one before), each the indicator table's constant
number of queries, plus the hot spots' detection when that module is there.
"""

import importlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from indicators.models import Bulletin
from indicators.periods import Period, PeriodKind
from indicators.scores import Score, score_table, weights_for
from indicators.selectors import indicator_table
from indicators.working_hours import WorkingClock
from portal.pdf import PdfStyles, landscape_pdf

LEVELS = ("town", "department")
HOT_SPOT_LIMIT = 10
RATES = ("on_time_rate", "closure_rate", "satisfaction_rate", "rework_rate")


def month_of(day: date) -> Period:
    return Period.containing(PeriodKind.MONTH, day)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _ranking(period: Period, level: str) -> tuple[int | None, list[Score]]:
    weights = weights_for(period)
    table = indicator_table(dimension=level, period=period, include_empty=True)
    return (weights.version if weights else None), score_table(table=table, weights=weights)


def _rows(scores: list[Score], previous: list[Score]) -> list[dict]:
    before = {item.row.key: item for item in previous}
    rows = []
    for item in scores:
        last = before.get(item.row.key)
        score, last_score = _rounded(item.score), _rounded(last.score if last else None)
        rows.append(
            {
                "key": item.row.key,
                "name": item.row.label,
                "rank": item.rank,
                "score": score,
                "grade": item.grade,
                "received": item.row.received,
                **{name: _rounded(getattr(item.row, name)) for name in RATES},
                "previous_rank": last.rank if last else None,
                "previous_score": last_score,
                "previous_grade": last.grade if last else "",
                "score_change": (
                    None if score is None or last_score is None else round(score - last_score, 1)
                ),
                # Positive: climbed (rank 3 last month, 1 now gives +2).
                "rank_change": (
                    None
                    if item.rank is None or last is None or last.rank is None
                    else last.rank - item.rank
                ),
            }
        )
    return rows


def recurring_hot_spots(*, period: Period, limit: int = HOT_SPOT_LIMIT) -> list[dict] | None:
    """THE SEAM to the hot spots (indicators/hotspots.py, another slice): the recurring hot
    spots as of the month's end, most reported first; None while that module is not there
    (the bulletin then says the hot spots are not available)."""
    try:
        hotspots = importlib.import_module("indicators.hotspots")
        detection = hotspots.detect(as_of=period.end)
    except (ImportError, AttributeError):
        return None
    # A hot spot may be a cluster of neighbouring cells: one entry, its cells and places listed.
    found = [cluster for cluster in detection.clusters if cluster.is_recurring]
    found.sort(key=lambda cluster: (-cluster.count, cluster.lead.cell_code))
    separator = pgettext("list separator", ", ")
    return [
        {
            "cell": separator.join(spot.cell_code for spot in cluster.spots),
            "place": separator.join(
                dict.fromkeys(
                    " ".join(filter(None, [spot.town_name, spot.community_name]))
                    for spot in cluster.spots
                )
            ),
            "category": cluster.category_name,
            "count": cluster.count,
        }
        for cluster in found[:limit]
    ]


def bulletin_figures(*, period: Period) -> dict:
    """Everything the bulletin shows, as JSON-ready values (what ``Bulletin.figures`` keeps)."""
    previous = period.previous()
    figures: dict = {
        "month": f"{period.first:%Y-%m}",
        "previous_month": f"{previous.first:%Y-%m}",
    }
    for level in LEVELS:
        version, scores = _ranking(period, level)
        _version, before = _ranking(previous, level)
        figures[f"{level}s"] = _rows(scores, before)
        figures["weights_version"] = version
    total = indicator_table(dimension="town", period=period).total
    figures["district"] = {
        "received": total.received,
        **{name: _rounded(getattr(total, name)) for name in RATES},
    }
    figures["hot_spots"] = recurring_hot_spots(period=period)
    return figures


# --- The PDF -------------------------------------------------------------------------------


def _text(value, suffix: str = "") -> str:
    return "—" if value is None or value == "" else f"{value}{suffix}"


def _change(value, suffix: str = "") -> str:
    if value is None:
        return "—"
    return f"+{value}{suffix}" if value > 0 else f"{value}{suffix}"


def ranking_header(level: str) -> list[str]:
    return [
        _("Rank"),
        _("Town") if level == "town" else _("Department"),
        _("Score"),
        _("Grade"),
        _("Change in score"),
        _("Change in rank"),
        _("Reports received"),
        _("On-time closure rate"),
        _("Closure rate"),
        _("Satisfaction rate"),
        _("Rework rate"),
    ]


def ranking_cells(row: dict) -> list[str]:
    return [
        _text(row["rank"]),
        row["name"],
        _text(row["score"]),
        _text(row["grade"]),
        _change(row["score_change"]),
        _change(row["rank_change"]),
        str(row["received"]),
        *[_text(row[name], "%") for name in RATES],
    ]


def bulletin_summary(figures: dict) -> str:
    """The district's line at the top of the bulletin (the PDF and the printable page)."""
    district = figures["district"]
    return _(
        "Whole district: %(received)s reports received; on-time closure rate %(on_time)s; "
        "satisfaction rate %(satisfaction)s. Weights version %(version)s; changes against "
        "%(previous)s."
    ) % {
        "received": district["received"],
        "on_time": _text(district["on_time_rate"], "%"),
        "satisfaction": _text(district["satisfaction_rate"], "%"),
        "version": _text(figures.get("weights_version")),
        "previous": figures["previous_month"],
    }


def bulletin_pdf(figures: dict, *, title: str) -> bytes:
    """The bulletin as a PDF (A4 landscape, portal/pdf.py)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    def story(styles: PdfStyles) -> list:
        flowables = [Paragraph(title, styles.heading), Spacer(1, 4 * mm)]
        flowables.append(Paragraph(bulletin_summary(figures), styles.body))
        for level, label in (
            ("town", _("Ranking of towns")),
            ("department", _("Ranking of departments")),
        ):
            flowables += [Spacer(1, 5 * mm), Paragraph(label, styles.subheading)]
            rows = [ranking_header(level), *[ranking_cells(row) for row in figures[f"{level}s"]]]
            flowables.append(Table(rows, repeatRows=1, style=styles.table))
        flowables += [Spacer(1, 5 * mm), Paragraph(_("Recurring hot spots"), styles.subheading)]
        spots = figures.get("hot_spots")
        if spots is None:
            flowables.append(Paragraph(_("Hot spot detection is not available yet."), styles.body))
        elif not spots:
            flowables.append(Paragraph(_("No hot spot came back this month."), styles.body))
        else:
            rows = [[_("Grid cell"), _("Place"), _("Category"), _("Reports in the window")]]
            rows += [[s["cell"], s["place"], s["category"], str(s["count"])] for s in spots]
            flowables.append(Table(rows, repeatRows=1, style=styles.table))
        return flowables

    return landscape_pdf(title=title, story=story)


def bulletin_title(month: str) -> str:
    return _("Monthly assessment bulletin, %(month)s") % {"month": month}


def bulletin_generate(*, day: date, user=None) -> Bulletin:
    """Compute the month of ``day``'s bulletin and keep it with its PDF; a bulletin already
    made for that month is replaced (its old PDF removed once the new one is saved)."""
    period = month_of(day)
    figures = bulletin_figures(period=period)
    pdf = bulletin_pdf(figures, title=bulletin_title(figures["month"]))
    with transaction.atomic():
        bulletin, _created = Bulletin.objects.select_for_update().get_or_create(
            month=period.first, defaults={"generated_at": timezone.now()}
        )
        old_name = bulletin.pdf.name
        bulletin.generated_at = timezone.now()
        bulletin.generated_by = user
        bulletin.figures = figures
        bulletin.pdf.save(f"bulletin-{figures['month']}.pdf", ContentFile(pdf), save=False)
        bulletin.save()
        if old_name and old_name != bulletin.pdf.name:
            storage, name = bulletin.pdf.storage, old_name
            transaction.on_commit(lambda: storage.delete(name))
    return bulletin


def first_working_day(month_first: date) -> date:
    """The first working day of the month on the deadline calendar (holidays, make-up days)."""
    clock = WorkingClock(first=month_first, last=month_first + timedelta(days=14))
    for offset in range(15):
        day = month_first + timedelta(days=offset)
        if clock.working[day]:
            return day
    return month_first


def bulletin_due(*, today: date | None = None) -> date | None:
    """A day of last month when its bulletin is due and not made yet (on or after this month's
    first working day), else None."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    if today < first_working_day(this_month):
        return None
    last_month = month_of(this_month - timedelta(days=1))
    if Bulletin.objects.filter(month=last_month.first).exists():
        return None
    return last_month.first
