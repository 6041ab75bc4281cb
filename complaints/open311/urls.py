from django.urls import re_path

from complaints.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)"

urlpatterns = [
    re_path(r"^discovery$", views.discovery, name="discovery_default"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[^/]{{1,20}}){FMT}$", views.service, name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(
        rf"^requests/(?P<reference>[A-Za-z0-9-]{{1,40}}){FMT}$",
        views.request_detail,
        name="request",
    ),
    re_path(rf"^servicerequestupdates{FMT}$", views.request_updates_list, name="request_updates"),
    re_path(r"^.*\.xml$", views.not_found, {"fmt": "xml"}),
    re_path(r"^.*$", views.not_found),
]
