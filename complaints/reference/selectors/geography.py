"""Reads on the grid: which cell holds a point, which cells touch a cell."""

from complaints.models import GridCell
from complaints.shared.geo import point_in_geometry

# About 10 m: cells drawn edge to edge rarely share coordinates exactly.
TOUCH_TOLERANCE_DEG = 0.0001


def grid_cell_for_point(*, lat: float, lng: float) -> GridCell | None:
    """The grid cell whose polygon contains the point, if any (bounding box first)."""
    candidates = GridCell.objects.filter(
        min_lat__lte=lat, max_lat__gte=lat, min_lng__lte=lng, max_lng__gte=lng
    ).select_related("community__town", "department")
    for cell in candidates:
        if cell.polygon and point_in_geometry(lat=lat, lng=lng, geometry=cell.polygon):
            return cell
    return None


def grid_cell_neighbour_ids(*, cell: GridCell) -> set[int]:
    """The cell and the cells whose bounding boxes touch or overlap it."""
    ids = {cell.pk}
    if cell.min_lat is None or cell.max_lat is None or cell.min_lng is None or cell.max_lng is None:
        return ids
    t = TOUCH_TOLERANCE_DEG
    ids.update(
        GridCell.objects.filter(
            min_lat__lte=cell.max_lat + t,
            max_lat__gte=cell.min_lat - t,
            min_lng__lte=cell.max_lng + t,
            max_lng__gte=cell.min_lng - t,
        ).values_list("pk", flat=True)
    )
    return ids
