"""The alert bar's settings for the page shell (``notifications/_alerts.html``)."""

from django import template
from django.conf import settings

register = template.Library()

DEFAULT_POLL_SECONDS = 20


@register.simple_tag
def alert_poll_seconds() -> float:
    """How often an open page asks for new alerts (``GRIDGOV_ALERT_POLL_SECONDS``; 0 turns
    polling off, the bell then shows nothing)."""
    return float(getattr(settings, "GRIDGOV_ALERT_POLL_SECONDS", DEFAULT_POLL_SECONDS))
