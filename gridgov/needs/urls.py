"""Pages of needs analysis under /needs/."""

from django.urls import path

from . import views, vocabulary_views

app_name = "needs"

urlpatterns = [
    path("", views.NeedsView.as_view(), name="index"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("categories/", vocabulary_views.CategoryListView.as_view(), name="categories"),
    path("categories/new/", vocabulary_views.CategoryEditView.as_view(), name="category_new"),
    path("categories/<int:pk>/", vocabulary_views.CategoryEditView.as_view(),
         name="category_edit"),
]
