from django.urls import path

from . import views

app_name = "background"

urlpatterns = [
    path("", views.MyJobsView.as_view(), name="list"),
    path("<uuid:uid>/", views.JobDetailView.as_view(), name="job"),
    path("<uuid:uid>/progress/", views.progress_fragment, name="progress"),
    path("<uuid:uid>/download/", views.download, name="download"),
    path("<uuid:uid>/cancel/", views.CancelJobView.as_view(), name="cancel"),
]
