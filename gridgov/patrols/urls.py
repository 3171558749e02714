"""Desktop pages of the patrols app (/patrols/)."""

from django.urls import path

from .views import PatrolDetailView, PatrolListView

app_name = "patrols"
urlpatterns = [
    path("", PatrolListView.as_view(), name="list"),
    path("<int:pk>/", PatrolDetailView.as_view(), name="detail"),
]
