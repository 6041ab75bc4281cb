"""The role queues of the back office: one Wagtail listing per queue, over ``Report``.

Rows come from ``selectors.queues`` (so a handler's queue holds their department's cases only);
each row opens the case page. Search is by reference (an ORM lookup: the viewsets set no
``search_fields``, which breaks admin search on SQLite). Counts show in the menu.

Years of data must not slow these screens down (docs/performance.md, "Staff screens at
1,000,000 reports"): the menu counts stop at 999 ("999+"), a listing counts its matches up to
``LISTING_COUNT_CAP`` (the first 200 pages; filters and search narrow a bigger set down), and the
"all cases" queue lists the newest first, an order the ``created_at`` index serves, where the
role queues (a few open states each) sort by deadline.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSetGroup

from complaints.cases import selectors as queue_selectors
from complaints.cases.selectors import (
    QUEUES,
    count_capped,
    queue_allowed,
    queue_count,
    queue_reports,
)
from complaints.cases.services.deadlines import (
    CLOCK_STATES,
    due_soon_horizon,
    report_is_due_soon,
    report_is_overdue,
)
from complaints.models import Report
from complaints.shared.admin_exports import ModelViewSet  # formula-safe exports


class CaseFilterSet(WagtailFilterSet):
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    due_soon = django_filters.BooleanFilter(label=_("Due soon"), method="filter_due_soon")
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Received between"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Report
        fields = ["state", "category", "town", "department", "channel", "created_at"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = {"state__in": CLOCK_STATES, "deadline__lt": timezone.now()}
        return queryset.filter(**overdue) if value else queryset.exclude(**overdue)

    def filter_due_soon(self, queryset, name, value):
        """Running cases whose deadline falls within the due-soon window (the handler's home)."""
        if value is None:
            return queryset
        now = timezone.now()
        due_soon = Q(state__in=CLOCK_STATES, deadline__gte=now, deadline__lt=due_soon_horizon(now))
        return queryset.filter(due_soon) if value else queryset.exclude(due_soon)


LISTING_DEFERRED = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "description",
    "extra_answers",
)


class DeadlineColumn(Column):
    """The deadline, flagged overdue or due soon."""

    def get_value(self, instance):
        if not instance.deadline:
            return ""
        text = timezone.localtime(instance.deadline).strftime("%Y-%m-%d %H:%M")
        if report_is_overdue(report=instance):
            return f"{text} · {_('overdue')}"
        if report_is_due_soon(report=instance):
            return f"{text} · {_('due soon')}"
        return text


# A listing counts its matches up to here: 200 pages of 50.
LISTING_COUNT_CAP = 10_000


class CappedPaginator(WagtailPaginator):
    """A paginator whose count stops at ``LISTING_COUNT_CAP`` (one bounded query, no full
    COUNT); pages beyond the cap are not offered, and the label says "10000+"."""

    @cached_property
    def count(self):
        return min(count_capped(self.object_list, cap=LISTING_COUNT_CAP), LISTING_COUNT_CAP)

    @cached_property
    def items_count_label(self):
        if self.count >= LISTING_COUNT_CAP:
            return f"{LISTING_COUNT_CAP}+ {self.verbose_name_plural}"
        return super().items_count_label


class CaseQueueIndexView(IndexView):
    queue = ""
    # Everyone with a queue role may list; what they see is scoped by the selector.
    any_permission_required = ["view"]
    paginator_class = CappedPaginator

    def dispatch(self, request, *args, **kwargs):
        if not queue_allowed(user=request.user, queue=self.queue):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        # Not the encrypted contact columns nor the long texts: no row shows or exports them.
        return queue_reports(user=self.request.user, queue=self.queue).defer(*LISTING_DEFERRED)

    @property
    def is_searchable(self):
        return True

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.filter(reference__icontains=self.search_query.strip())

    def get_edit_url(self, instance):
        return reverse("complaints_case", args=[instance.pk])

    def get_inspect_url(self, instance):
        return None

    def get_add_url(self):
        return None

    def get_copy_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    def get_list_more_buttons(self, instance):
        return []

    def get_page_title(self):
        return QUEUES[self.queue][0]


def _menu_item_class(queue: str):
    class QueueMenuItem(MenuItem):
        def is_shown(self, request):
            return queue_allowed(user=request.user, queue=queue)

        def render_component(self, request):
            cap = queue_selectors.QUEUE_COUNT_CAP
            count = queue_count(user=request.user, queue=queue, cap=cap)
            shown = f"{cap}+" if count > cap else str(count)
            return LinkMenuItemComponent(
                self.name,
                f"{self.label} ({shown})",
                self.url,
                icon_name=self.icon_name,
                classname=self.classname,
                attrs=self.attrs,
            )

    return QueueMenuItem


class CaseQueueViewSet(ModelViewSet):
    model = Report
    queue = ""
    icon = "warning"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    filterset_class = CaseFilterSet
    list_display = [
        "reference",
        "category",
        "state",
        "town",
        "department",
        "created_at",
        DeadlineColumn("deadline", label=_("Deadline")),
        "rework_count",
    ]
    list_export = [
        "reference",
        "category",
        "state",
        "channel",
        "town",
        "community",
        "grid_cell",
        "department",
        "created_at",
        "dispatched_at",
        "deadline",
        "closed_at",
        "closed_on_time",
        "rework_count",
        "supporter_count",
    ]
    list_per_page = 50

    @property
    def ordering(self):
        # The role queues hold a few open states: by deadline, then age (index on state,
        # deadline, created_at). "All cases" holds every year: newest first, as the created_at
        # index gives them; sorting the whole table by deadline took 1.5 s at 1,000,000 rows.
        if self.queue == "all":
            return ["-created_at", "-pk"]
        return ["deadline", "created_at"]

    def __init__(self, name=None, **kwargs):
        super().__init__(name=f"cases-{self.queue}", **kwargs)
        self.index_view_class = type(
            f"{self.queue.title()}QueueIndexView", (CaseQueueIndexView,), {"queue": self.queue}
        )

    @property
    def menu_label(self):
        return QUEUES[self.queue][0]

    @property
    def menu_item_class(self):
        return _menu_item_class(self.queue)

    @property
    def export_filename(self):
        return f"cases-{self.queue}"

    def get_form_class(self, for_update=False):
        # No add/edit screens: a case changes only through the workflow actions.
        return None

    def get_urlpatterns(self):
        from django.urls import path

        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def register_permissions(self):
        # The report permissions are registered once, by the "all cases" queue.
        if self.queue == "all":
            super().register_permissions()


def _queue_viewset(queue: str, icon: str, order: int):
    return type(
        f"{queue.title()}CaseQueueViewSet",
        (CaseQueueViewSet,),
        {"queue": queue, "icon": icon, "menu_order": order},
    )


class CaseQueueViewSetGroup(ModelViewSetGroup):
    menu_label = _("Cases")
    menu_icon = "warning"
    menu_name = "complaints-cases"
    menu_order = 150
    items = (
        _queue_viewset("triage", "inbox", 1),
        _queue_viewset("department", "group", 2),
        _queue_viewset("verification", "tick-inverse", 3),
        _queue_viewset("overdue", "time", 4),
        _queue_viewset("reopen", "undo", 5),
        _queue_viewset("all", "list-ul", 6),
    )
