"""Statistics pages under /stats/."""

from django.urls import path

from .api.views import SummaryView
from .views.dashboard import DashboardView
from .views.hotspots import GridsGeoJSONView, HotspotsView
from .views.overdue import OverdueView
from .views.tables import BreakdownView

app_name = "stats"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("table/<str:dimension>/", BreakdownView.as_view(), name="table"),
    path("hotspots/", HotspotsView.as_view(), name="hotspots"),
    path("hotspots/grids.geojson", GridsGeoJSONView.as_view(), name="grids_geojson"),
    path("overdue/", OverdueView.as_view(), name="overdue"),
    path("api/summary/", SummaryView.as_view(), name="api_summary"),
]
