from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="cases"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("lexicon/", views.LexiconView.as_view(), name="lexicon"),
]
