"""CKAN Action API routes (mounted at /api/3/action/ and /api/action/)."""

from django.urls import path

from . import ckan

urlpatterns = [
    path("<str:name>", ckan.action, name="ckan-action"),
]
