"""Reference data in the Wagtail admin: taxonomy and geography, grouped under one menu item.

No ``search_fields`` on the viewsets (it breaks admin search on SQLite); the models index their
own ``search_fields`` instead.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from complaints.models import Category, Community, Department, GridCell, Town
from complaints.shared.admin_exports import SnippetViewSet  # formula-safe exports


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Categories")
    list_display = ["kind", "code", "name", "default_department", "time_limit", "time_unit"]
    list_filter = ["kind", "major_code", "anonymous_allowed", "public_allowed", "is_active"]
    list_export = [
        "kind",
        "code",
        "name",
        "name_en",
        "default_department",
        "time_limit",
        "time_unit",
    ]
    ordering = ["kind", "code"]
    inspect_view_enabled = True
    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("major_code"), FieldPanel("major_name")]),
        FieldPanel("major_name_en"),
        FieldRowPanel([FieldPanel("code"), FieldPanel("name"), FieldPanel("name_en")]),
        FieldPanel("hint"),
        FieldPanel("hint_en"),
        FieldPanel("default_department"),
        FieldRowPanel([FieldPanel("time_limit"), FieldPanel("time_unit")]),
        MultiFieldPanel(
            [
                FieldPanel("anonymous_allowed"),
                FieldPanel("public_allowed"),
                FieldPanel("reward_eligible"),
                FieldPanel("is_active"),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("extra_questions"),
    ]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("Departments")
    list_display = ["name", "key", "level", "town"]
    list_filter = ["level"]
    list_export = ["key", "name", "level", "town"]


class TownViewSet(SnippetViewSet):
    model = Town
    icon = "site"
    menu_label = _("Towns and sub-districts")
    list_display = ["code", "name", "is_subdistrict"]
    list_export = ["code", "name", "is_subdistrict"]


class CommunityViewSet(SnippetViewSet):
    model = Community
    icon = "home"
    menu_label = _("Communities and villages")
    list_display = ["code", "name", "town", "is_village"]
    list_filter = ["town", "is_village"]
    list_export = ["code", "name", "town", "is_village"]


class GridCellViewSet(SnippetViewSet):
    model = GridCell
    icon = "table"
    menu_label = _("Grid cells")
    list_display = ["code", "name", "community", "department"]
    list_filter = ["community__town", "department"]
    list_export = ["code", "name", "community", "department"]
    panels = [
        FieldPanel("community"),
        FieldRowPanel([FieldPanel("code"), FieldPanel("name")]),
        FieldPanel("department"),
        FieldPanel("polygon"),
    ]


class ReferenceDataViewSetGroup(SnippetViewSetGroup):
    items = (CategoryViewSet, DepartmentViewSet, TownViewSet, CommunityViewSet, GridCellViewSet)
    menu_icon = "list-ul"
    menu_label = _("Reference data")
    menu_name = "complaints-reference-data"
