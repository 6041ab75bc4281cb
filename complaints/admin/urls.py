"""Admin URLs of the case back office (mounted under /admin/ by wagtail_hooks.py)."""

from django.urls import path

from complaints.admin import cases

urlpatterns = [
    path("cases/case/<int:pk>/", cases.CaseView.as_view(), name="complaints_case"),
    path(
        "cases/case/<int:pk>/reveal/", cases.CaseRevealView.as_view(), name="complaints_case_reveal"
    ),
    path(
        "cases/case/<int:pk>/callback/",
        cases.CaseCallbackView.as_view(),
        name="complaints_case_callback",
    ),
    path(
        "cases/case/<int:pk>/photos/<int:photo_pk>/",
        cases.photo_view,
        name="complaints_case_photo",
    ),
    path("cases/hotline/", cases.HotlineReportView.as_view(), name="complaints_hotline"),
    path(
        "cases/routing-preview/",
        cases.RoutingPreviewView.as_view(),
        name="complaints_routing_preview",
    ),
]
