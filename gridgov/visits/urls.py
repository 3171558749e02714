"""Desktop pages of the visits app (/visits/)."""

from .views import app_name, urlpatterns  # noqa: F401
