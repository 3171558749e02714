"""CKAN Action API routes (mounted at /api/3/action/ and /api/action/)."""

from django.urls import path  # noqa: F401

urlpatterns = []
