"""The audit administrator's pages (under /audit/)."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditRecordListView.as_view(), name="records"),
    path("<int:pk>/", views.AuditRecordDetailView.as_view(), name="record"),
    path("export.csv", views.AuditRecordExportView.as_view(), name="export"),
    path("verify/", views.VerifyView.as_view(), name="verify"),
]
