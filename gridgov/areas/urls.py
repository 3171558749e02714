from django.urls import path

from . import views

app_name = "areas"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="list"),
    path("<str:code>/", views.AreaDetailView.as_view(), name="detail"),
    path("<str:code>/edit/", views.AreaEditView.as_view(), name="edit"),
]
