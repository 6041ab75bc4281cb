"""The inspector's phone screen, under /inspector/ (included by dotted path from portal/urls.py:
nothing imports the inspections app)."""

from django.urls import path

from inspections import views

app_name = "inspector"

urlpatterns = [
    path("", views.assignment_list, name="assignments"),
    path("<int:pk>/", views.assignment_detail, name="assignment"),
    path("<int:pk>/start/", views.assignment_begin, name="start"),
    path("<int:pk>/findings/", views.finding_add, name="finding"),
    path("<int:pk>/submit/", views.assignment_submit, name="submit"),
]
