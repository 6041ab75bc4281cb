"""The indicators' public pages, included by portal/urls.py inside i18n_patterns (by dotted
path: nothing imports the indicators app)."""

from django.urls import path

from indicators import public

app_name = "indicators"

urlpatterns = [
    path("performance/", public.performance, name="performance"),
]
