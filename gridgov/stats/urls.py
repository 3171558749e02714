"""Statistics pages under /stats/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api.keywords import KeywordViewSet
from .api.screen import ScreenDataView
from .api.views import SummaryView
from .views.dashboard import DashboardView
from .views.hotspots import GridsGeoJSONView, HotspotsView
from .views.keywords import (
    DictionaryView,
    KeywordCasesView,
    KeywordsView,
    RebuildView,
)
from .views.overdue import OverdueView
from .views.report import ReportView
from .views.screen import ScreenView
from .views.tables import BreakdownView

app_name = "stats"

keyword_api = SimpleRouter()
keyword_api.register("api/keywords", KeywordViewSet, basename="api_keywords")

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("table/<str:dimension>/", BreakdownView.as_view(), name="table"),
    path("hotspots/", HotspotsView.as_view(), name="hotspots"),
    path("hotspots/grids.geojson", GridsGeoJSONView.as_view(), name="grids_geojson"),
    path("overdue/", OverdueView.as_view(), name="overdue"),
    path("api/summary/", SummaryView.as_view(), name="api_summary"),
    path("keywords/", KeywordsView.as_view(), name="keywords"),
    path("keywords/cases/", KeywordCasesView.as_view(), name="keyword_cases"),
    path("keywords/dictionary/", DictionaryView.as_view(), name="keyword_dictionary"),
    path("keywords/dictionary/rebuild/", RebuildView.as_view(), name="keyword_rebuild"),
    *keyword_api.urls,
    path("screen/", ScreenView.as_view(), name="screen"),
    path("api/screen/", ScreenDataView.as_view(), name="screen_data"),
    path("report/", ReportView.as_view(), name="report"),
]
