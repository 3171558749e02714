"""Screens of the tasks app in the field terminal (/m/, names in the ``field`` namespace)."""

from .views.field import urlpatterns  # noqa: F401
