"""Pages of the data resource centre under /sharing/."""

from django.urls import path

from . import views, views_data

app_name = "sharing"

urlpatterns = [
    path("", views.CatalogView.as_view(), name="catalog"),
    path("publish/", views.PublishView.as_view(), name="publish"),
    path("resources/<str:code>/", views.ResourceDetailView.as_view(), name="resource"),
    path("resources/<str:code>/request/", views.RequestCreateView.as_view(), name="request"),
    path("resources/<str:code>/upload/", views.UploadView.as_view(), name="upload"),
    path("resources/<str:code>/data/", views_data.DataPreviewView.as_view(), name="data"),
    path("resources/<str:code>/data/download/", views_data.DataDownloadView.as_view(),
         name="data_download"),
    path("requests/", views.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    *[
        path(f"requests/<int:pk>/{verb}/", views.RequestActionView.as_view(verb=verb),
             name=f"request_{verb}")
        for verb in ("approve", "refuse", "dispute", "resolve", "withdraw")
    ],
    path("grants/", views.GrantListView.as_view(), name="grants"),
    path("grants/<int:pk>/revoke/", views.GrantRevokeView.as_view(), name="grant_revoke"),
    path("exchanges/", views.ExchangeListView.as_view(), name="exchanges"),
]
