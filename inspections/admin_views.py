"""Admin screens beside the viewsets: a finding's photo, from the private storage, to who may
read findings (the 督查管理 role)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path

from complaints.privacy.serving import private_file_response
from inspections.import_views import ObjectImportView
from inspections.models import Finding


def finding_photo(request, pk: int):
    if not request.user.has_perm("inspections.view_finding"):
        raise PermissionDenied
    finding = get_object_or_404(Finding.objects.exclude(photo=""), pk=pk)
    return private_file_response(finding.photo, content_type="image/jpeg")


urlpatterns = [
    path("inspections/findings/<int:pk>/photo/", finding_photo, name="inspections_finding_photo"),
    path(
        "inspections/objects/import/",
        ObjectImportView.as_view(),
        name="inspections_object_import",
    ),
]
