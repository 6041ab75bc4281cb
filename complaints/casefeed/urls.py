from django.urls import path

from complaints.casefeed import views

app_name = "casefeed"

urlpatterns = [
    path("<slug:slug>/updates", views.callback, name="callback"),
    path("media/<str:token>", views.media, name="media"),
]
