"""Assessment pages under /assess/ and its API under /assess/api/."""

from django.urls import include, path

from .views.appeals import AppealCreateView, AppealDecideView, AppealListView
from .views.explain import ExplainView
from .views.freeze import FreezeView
from .views.ranking import RankingView
from .views.schemes import SchemeEditView, SchemeListView

app_name = "assess"

urlpatterns = [
    path("", RankingView.as_view(), name="ranking"),
    path("freeze/", FreezeView.as_view(), name="freeze"),
    path("explain/<str:kind>/<str:key>/", ExplainView.as_view(), name="explain"),
    path("appeals/", AppealListView.as_view(), name="appeals"),
    path("appeals/new/<int:pk>/", AppealCreateView.as_view(), name="appeal_new"),
    path("appeals/<int:pk>/decide/", AppealDecideView.as_view(), name="appeal_decide"),
    path("schemes/", SchemeListView.as_view(), name="schemes"),
    path("schemes/new/", SchemeEditView.as_view(), name="scheme_new"),
    path("schemes/<int:pk>/", SchemeEditView.as_view(), name="scheme_edit"),
    path("api/", include("gridgov.assess.api.urls")),
]
