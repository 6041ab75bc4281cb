from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Town(index.Indexed, models.Model):
    """A town or sub-district (镇/街道) of the district."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    is_subdistrict = models.BooleanField(
        _("sub-district"), default=True, help_text=_("街道 (sub-district) rather than 镇 (town).")
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("town or sub-district")
        verbose_name_plural = _("towns and sub-districts")

    def __str__(self):
        return self.name


class Community(index.Indexed, models.Model):
    """A community or village (社区/村), the unit that grid cells divide."""

    town = models.ForeignKey(
        Town, verbose_name=_("town"), on_delete=models.PROTECT, related_name="communities"
    )
    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=60)
    is_village = models.BooleanField(_("village"), default=False)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("community or village")
        verbose_name_plural = _("communities and villages")
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="community_unique_name_in_town")
        ]

    def __str__(self):
        return f"{self.town.name} · {self.name}"


class GridCell(index.Indexed, models.Model):
    """A grid cell (网格), the smallest unit of grid management, inside one community.

    The polygon is optional GeoJSON (WGS84 lon/lat, a Polygon or MultiPolygon geometry); its
    bounding box is kept in four columns so that point lookups and neighbour searches can filter
    in the database before the exact test in Python.
    """

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="cells"
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("District code + town + community + cell, e.g. 32021100100101."),
    )
    name = models.CharField(_("name"), max_length=60)
    polygon = models.JSONField(
        _("boundary (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_(
            'A GeoJSON Polygon or MultiPolygon geometry in WGS84, e.g. {"type": "Polygon", ...}.'
        ),
    )
    department = models.ForeignKey(
        "complaints.Department",
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_cells",
    )
    min_lat = models.FloatField(editable=False, null=True)
    max_lat = models.FloatField(editable=False, null=True)
    min_lng = models.FloatField(editable=False, null=True)
    max_lng = models.FloatField(editable=False, null=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("grid cell")
        verbose_name_plural = _("grid cells")
        indexes = [models.Index(fields=["min_lat", "max_lat"], name="gridcell_lat_bbox")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        # The bounding box is derived data: keep it in step with whatever wrote the polygon.
        from complaints.shared.geo import polygon_bbox

        bbox = polygon_bbox(self.polygon) if self.polygon else None
        self.min_lng, self.min_lat, self.max_lng, self.max_lat = bbox or (None,) * 4
        super().save(*args, **kwargs)

    def clean(self):
        from django.core.exceptions import ValidationError

        from complaints.shared.geo import GeometryError, validate_geometry

        if self.polygon:
            try:
                validate_geometry(self.polygon)
            except GeometryError as exc:
                raise ValidationError({"polygon": str(exc)}) from exc

    @property
    def centre(self) -> tuple[float, float] | None:
        """(lat, lng) of the bounding box centre, the 'rounded place' shown publicly."""
        if self.min_lat is None:
            return None
        return ((self.min_lat + self.max_lat) / 2, (self.min_lng + self.max_lng) / 2)
