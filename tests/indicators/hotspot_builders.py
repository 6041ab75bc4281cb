"""Cases in given grid cells at given moments, for the hot-spot tests (known answers)."""

from django.db.models import Max

from complaints.models import GridCell, Report
from tests.indicators.builders import at, case, copies


def cells(n: int) -> list[GridCell]:
    return list(GridCell.objects.select_related("community__town").order_by("code")[:n])


def spot_case(cell: GridCell, *, created: str, closed: str | None = None, category=None, **kw):
    """A case of ``category`` (the demo's 暴露垃圾 by default) received in ``cell``; closed at
    ``closed`` (state closed) or still open (dispatched)."""
    state = kw.pop("state", "closed" if closed else "dispatched")
    report = case(created=created, closed=closed, state=state, category=category, **kw)
    Report.objects.filter(pk=report.pk).update(
        grid_cell=cell, community=cell.community, town=cell.community.town
    )
    report.refresh_from_db()
    return report


def many(cell: GridCell, n: int, *, created: str, closed: str | None = None, category=None):
    """``n`` open or closed cases in ``cell`` at one moment (bulk: one case, then copies)."""
    first = spot_case(cell, created=created, closed=closed, category=category)
    if n > 1:
        last = Report.objects.aggregate(last=Max("pk"))["last"]
        copies(first, n - 1)
        # The copies' received time is stamped now (auto_now_add): give them the first's.
        Report.objects.filter(pk__gt=last).update(created_at=first.created_at)
    return first


__all__ = ["at", "cells", "many", "spot_case"]
