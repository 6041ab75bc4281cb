"""Which towns' figures a staff member may see on the statistics screen and in its exports.

District-wide: the permission ``indicators.view_statistics`` (supervisors, auditors,
administrators; portal/roles.py). Town-scoped: the permission
``indicators.view_town_statistics`` (the roles that hold it say so in portal/roles.py) together
with membership of a town-level department (complaints' ``DepartmentMembership``): such a user
sees only the figures of that department's town. A town-scoped permission without any
town-level department gives nothing to see.
"""

from dataclasses import dataclass

from complaints.models import Department, DepartmentMembership

STATISTICS_PERMISSION = "indicators.view_statistics"
TOWN_STATISTICS_PERMISSION = "indicators.view_town_statistics"


@dataclass(frozen=True)
class StatisticsScope:
    """``town_ids`` is None for the whole district, else the towns the user may see."""

    town_ids: frozenset[int] | None

    @property
    def is_district(self) -> bool:
        return self.town_ids is None

    def allows_town(self, town_id: int | None) -> bool:
        return self.town_ids is None or town_id in self.town_ids

    def department_ids(self) -> set[int] | None:
        """The departments whose ranking rows the user may see: the town-level departments
        of their towns (a district department's figures span every town); None: all."""
        if self.town_ids is None:
            return None
        return set(
            Department.objects.filter(
                level=Department.Level.TOWN, town_id__in=self.town_ids
            ).values_list("pk", flat=True)
        )


def statistics_scope(user) -> StatisticsScope | None:
    """The user's view of the statistics, or None when they may not open them at all."""
    if not user.is_active:
        return None
    if user.has_perm(STATISTICS_PERMISSION):
        return StatisticsScope(town_ids=None)
    if not user.has_perm(TOWN_STATISTICS_PERMISSION):
        return None
    towns = frozenset(
        DepartmentMembership.objects.filter(
            user=user,
            department__level=Department.Level.TOWN,
            department__town__isnull=False,
        ).values_list("department__town_id", flat=True)
    )
    return StatisticsScope(town_ids=towns) if towns else None
