"""Sign-in for the field terminal's pages.

``field_login_required`` / ``FieldLoginRequiredMixin`` send an anonymous visitor to
``/m/login/?next=<page>`` (not the desktop sign-in), and answer 403 to a person without
``field.use``. The field session itself (bound to a revocable device row, its own idle and
absolute limits) is ``gridgov.field.session``.
"""

from functools import wraps
from urllib.parse import quote

from django.shortcuts import redirect
from django.urls import reverse

from gridgov.core.access import require

LOGIN_URL_NAME = "field:login"


def login_url(next_path: str = "") -> str:
    url = reverse(LOGIN_URL_NAME)
    return url + "?next=" + quote(next_path) if next_path else url


def field_login_required(view):
    """Decorate a function view of the terminal: signed in, and holding ``field.use``."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(login_url(request.get_full_path()))
        require(request.user, "field.use")
        return view(request, *args, **kwargs)

    return wrapped


class FieldLoginRequiredMixin:
    """The class-based twin of ``field_login_required``."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(login_url(request.get_full_path()))
        require(request.user, "field.use")
        return super().dispatch(request, *args, **kwargs)
