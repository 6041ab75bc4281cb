from django.urls import path, re_path

from complaints.intake import map_views as views_map
from complaints.intake import views
from complaints.rewards import views as views_informants

app_name = "complaints"

REFERENCE = r"(?P<reference>BH-\d{4}-\d{6})"

urlpatterns = [
    path("report/", views.ReportCreateView.as_view(), name="report_create"),
    re_path(rf"^report/{REFERENCE}/receipt/$", views.report_receipt, name="report_receipt"),
    re_path(rf"^report/{REFERENCE}/supported/$", views.support_done, name="support_done"),
    path("track/", views.track, name="track"),
    re_path(rf"^track/{REFERENCE}/$", views.report_status, name="report_status"),
    re_path(rf"^track/{REFERENCE}/photos/(?P<pk>\d+)/$", views.report_photo, name="report_photo"),
    path("reports/", views.report_list, name="report_list"),
    # The maps' data (complaints/intake/map_views.py).
    path("reports/map.json", views_map.report_map_data, name="report_map_data"),
    path("map/grid.geojson", views_map.grid_geojson, name="grid_geojson"),
    re_path(rf"^track/{REFERENCE}/rate/$", views.report_rate, name="report_rate"),
    re_path(rf"^track/{REFERENCE}/rated/$", views.rating_done, name="rating_done"),
    re_path(r"^rate/(?P<token>[A-Za-z0-9_-]{20,64})/$", views.rating_link, name="rating_link"),
    # The reward scheme's informant pages (complaints/rewards/views.py).
    path(
        "report-violation/",
        views_informants.InformantReportCreateView.as_view(),
        name="informant_report_create",
    ),
    path(
        "report-violation/receipt/",
        views_informants.informant_receipt,
        name="informant_receipt",
    ),
    path(
        "report-violation/follow-up/",
        views_informants.informant_follow_up,
        name="informant_follow_up",
    ),
    path(
        "rewards/transparency/",
        views_informants.reward_transparency,
        name="reward_transparency",
    ),
]
