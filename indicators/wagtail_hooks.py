"""Connects the indicators to the admin: the statistics screen, its menu entry, the weights."""

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from indicators.bulletin_views import (
    BulletinListView,
    BulletinPdfView,
    BulletinPrintView,
    may_view_bulletins,
)
from indicators.hotspot_views import (
    HotSpotAttachView,
    HotSpotDetachView,
    HotSpotDetailView,
    HotSpotListView,
)
from indicators.views import StatisticsView, may_open_statistics_screen, may_view_statistics
from indicators.viewsets import ScoreWeightsViewSet, register_versioned_permission_policy

register_versioned_permission_policy()


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_statistics(request.user)


class StatisticsScreenMenuItem(MenuItem):
    """The statistics screen: also for town-scoped staff (their own town's figures)."""

    def is_shown(self, request):
        return may_open_statistics_screen(request.user)


class BulletinMenuItem(MenuItem):
    def is_shown(self, request):
        return may_view_bulletins(request.user)


@hooks.register("register_admin_urls")
def register_bulletin_urls():
    return [
        path("indicators/bulletins/", BulletinListView.as_view(), name="indicators_bulletins"),
        path(
            "indicators/bulletins/<int:pk>/",
            BulletinPrintView.as_view(),
            name="indicators_bulletin_print",
        ),
        path(
            "indicators/bulletins/<int:pk>/pdf/",
            BulletinPdfView.as_view(),
            name="indicators_bulletin_pdf",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_bulletin_menu_item():
    return BulletinMenuItem(
        _("Monthly bulletins"),
        reverse_lazy("indicators_bulletins"),
        name="indicators-bulletins",
        icon_name="doc-full",
        order=177,
    )


@hooks.register("register_admin_urls")
def register_statistics_urls():
    return [
        path("indicators/", StatisticsView.as_view(), name="indicators_statistics"),
        path("indicators/hotspots/", HotSpotListView.as_view(), name="indicators_hotspots"),
        path(
            "indicators/hotspots/<int:cell_id>/<int:category_id>/",
            HotSpotDetailView.as_view(),
            name="indicators_hotspot",
        ),
        path(
            "indicators/hotspots/<int:cell_id>/<int:category_id>/attach/",
            HotSpotAttachView.as_view(),
            name="indicators_hotspot_attach",
        ),
        path(
            "indicators/hotspots/detach/<int:pk>/",
            HotSpotDetachView.as_view(),
            name="indicators_hotspot_detach",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsScreenMenuItem(
        _("Performance statistics"),
        reverse_lazy("indicators_statistics"),
        name="indicators-statistics",
        icon_name="table",
        order=175,
    )


@hooks.register("register_admin_menu_item")
def register_hot_spots_menu_item():
    return StatisticsMenuItem(
        _("Hot spots"),
        reverse_lazy("indicators_hotspots"),
        name="indicators-hotspots",
        icon_name="warning",
        order=176,
    )


@hooks.register("register_admin_viewset")
def register_score_weights():
    return ScoreWeightsViewSet()
