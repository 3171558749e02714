"""The layers' pages, mounted at ``/gis/``."""

from .views import urlpatterns  # noqa: F401

app_name = "gis"
