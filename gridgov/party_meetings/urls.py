"""Desktop pages of 三会一课 (/party/meetings/)."""

from .views import app_name, urlpatterns  # noqa: F401
