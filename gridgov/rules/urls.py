"""Pages of the rule engine under /rules/ (the views module holds the patterns)."""

from .views import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
