"""Desktop pages of the partywork app (/party/work/)."""

from .views import app_name, urlpatterns  # noqa: F401
