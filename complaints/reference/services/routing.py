"""Routing: which department a report of a category at a place goes to."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from complaints.models import Category, Department, GridCell, RoutingRule, Town


@dataclass(frozen=True)
class Route:
    department: Department
    rule: RoutingRule | None
    explanation: str


def department_route(
    *, category: Category, town: Town | None = None, grid_cell: GridCell | None = None
) -> Route:
    """The department for ``category`` at the place, with why (for the preview screen).

    Most specific first: a rule for the grid cell, a rule for the town, then the category's
    default department — for town-level work, the cell's responsible unit or the town's own
    unit when there is one.
    """
    if grid_cell is not None and town is None:
        town = grid_cell.community.town
    if grid_cell is not None:
        rule = (
            RoutingRule.objects.filter(category=category, grid_cell=grid_cell)
            .select_related("department")
            .first()
        )
        if rule:
            return Route(rule.department, rule, _("Rule for grid cell %s") % grid_cell.code)
    if town is not None:
        rule = (
            RoutingRule.objects.filter(category=category, town=town)
            .select_related("department")
            .first()
        )
        if rule:
            return Route(rule.department, rule, _("Rule for %s") % town.name)
    default = category.default_department
    if default.level == Department.Level.TOWN:
        cell_department = grid_cell.department if grid_cell and grid_cell.department_id else None
        if cell_department is not None:
            return Route(cell_department, None, _("The grid cell's responsible department"))
        if town is not None:
            local = Department.objects.filter(level=Department.Level.TOWN, town=town).first()
            if local is not None:
                return Route(local, None, _("The town's own department"))
    return Route(default, None, _("The category's default department"))
