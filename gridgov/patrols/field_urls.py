"""Screens of the patrols app in the field terminal (/m/patrol/, names in the ``field``
namespace)."""

from django.urls import path

from .field_views import patrol_page

urlpatterns = [
    path("", patrol_page, name="patrol"),
]
