"""CKAN Action API routes (mounted at /api/3/action/ and /api/action/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("<str:name>", views.action, name="ckan-action"),
]
