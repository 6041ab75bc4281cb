from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutingRule(models.Model):
    """Sends a category's reports in a town or a grid cell to another department.

    Without a rule a report goes to its category's default department (or, for town-level
    work, the grid cell's responsible unit). A grid-cell rule beats a town rule.
    """

    category = models.ForeignKey(
        "complaints.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    town = models.ForeignKey(
        "complaints.Town",
        verbose_name=_("town"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    grid_cell = models.ForeignKey(
        "complaints.GridCell",
        verbose_name=_("grid cell"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
    )
    department = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["category", "town", "grid_cell"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(town__isnull=True) | models.Q(grid_cell__isnull=True),
                name="routingrule_town_or_cell",
            ),
            models.CheckConstraint(
                condition=models.Q(town__isnull=False) | models.Q(grid_cell__isnull=False),
                name="routingrule_has_place",
            ),
            models.UniqueConstraint(
                fields=["category", "town"],
                condition=models.Q(town__isnull=False),
                name="routingrule_unique_town",
            ),
            models.UniqueConstraint(
                fields=["category", "grid_cell"],
                condition=models.Q(grid_cell__isnull=False),
                name="routingrule_unique_cell",
            ),
        ]

    def __str__(self):
        return f"{self.category} @ {self.grid_cell or self.town} → {self.department}"

    def clean(self):
        if bool(self.town_id) == bool(self.grid_cell_id):
            raise ValidationError(_("Choose either a town or a grid cell."))


class DepartmentMembership(models.Model):
    """Links a department handler's user account to the department whose cases they handle."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="department_memberships",
    )
    department = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )

    class Meta:
        ordering = ["department", "user"]
        verbose_name = _("department membership")
        verbose_name_plural = _("department memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} → {self.department}"
