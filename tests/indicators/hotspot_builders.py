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


def _touch(one: GridCell, other: GridCell) -> bool:
    """The neighbour rule of docs/indicators.md: bounding boxes touch or overlap."""
    from indicators.hotspots import TOUCH_TOLERANCE_DEG as t

    return (
        one.min_lat <= other.max_lat + t
        and other.min_lat <= one.max_lat + t
        and one.min_lng <= other.max_lng + t
        and other.min_lng <= one.max_lng + t
    )


def _drawn() -> list[GridCell]:
    return list(
        GridCell.objects.select_related("community__town")
        .filter(min_lat__isnull=False)
        .order_by("code")
    )


def apart(n: int) -> list[GridCell]:
    """``n`` cells no two of which touch."""
    chosen: list[GridCell] = []
    for cell in _drawn():
        if not any(_touch(cell, other) for other in chosen):
            chosen.append(cell)
        if len(chosen) == n:
            return chosen
    raise AssertionError(f"the grid has no {n} cells apart")


def chain() -> tuple[GridCell, GridCell, GridCell]:
    """Three cells a, b, c: a touches b, b touches c, a does not touch c."""
    drawn = _drawn()
    for a in drawn:
        for b in drawn:
            if b.pk == a.pk or not _touch(a, b):
                continue
            for c in drawn:
                if c.pk not in (a.pk, b.pk) and _touch(b, c) and not _touch(a, c):
                    return a, b, c
    raise AssertionError("the grid has no chain of three cells")


__all__ = ["apart", "at", "cells", "chain", "many", "spot_case"]
