"""CKAN's API root: ``GET /api/3`` (and ``/api/3/``) answers ``{"version": 3}``.

Included by the root URLconf at "" ahead of the REST API's "api/" prefix, which would
otherwise take the path.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("api/3", views.api_version, name="ckan-api-version"),
    path("api/3/", views.api_version),
]
