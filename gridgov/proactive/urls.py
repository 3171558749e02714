"""Desktop pages of proactive services (/proactive/)."""

from .views import app_name, urlpatterns  # noqa: F401
