"""Admin URLs of the case back office (mounted under /admin/ by wagtail_hooks.py)."""

from django.urls import path

from complaints.backoffice import cases
from complaints.rewards.admin import claims as rewards

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
    # The reward fund (issue 6)
    path("rewards/claim/<int:pk>/", rewards.ClaimView.as_view(), name="rewards_claim"),
    path(
        "rewards/claim/<int:pk>/reveal/",
        rewards.ClaimRevealView.as_view(),
        name="rewards_claim_reveal",
    ),
    path(
        "rewards/claim/<int:pk>/confirm/<slug:action>/",
        rewards.ClaimConfirmView.as_view(),
        name="rewards_claim_confirm",
    ),
    path("rewards/funds/", rewards.FundsView.as_view(), name="rewards_funds"),
    path(
        "rewards/funds/<int:year>/allocate/",
        rewards.FundAllocateView.as_view(),
        name="rewards_fund_allocate",
    ),
    path("rewards/ledger/", rewards.LedgerView.as_view(), name="rewards_ledger"),
    path("rewards/report/", rewards.PayoutReportView.as_view(), name="rewards_report"),
    path("rewards/export/", rewards.PaymentExportView.as_view(), name="rewards_export"),
]
