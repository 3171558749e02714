"""The REST API's version in its path: ``/api/v1/…``, with ``/api/…`` kept as a deprecated alias.

Both prefixes serve the same views (``gridgov.urls``); the alias is mounted under the URL
namespace ``ALIAS_NAMESPACE`` so ``reverse("area-list")`` and every other API route name give
the versioned path. The OpenAPI schema lists only the current version's paths
(``only_current_version``), so generated clients are built against ``/api/v1/``.

An answer through the alias says it is deprecated (``DeprecatedAliasMiddleware``):

- ``Deprecation: @<epoch seconds>`` (RFC 9745): since when the alias is deprecated;
- ``Sunset: <HTTP date>`` (RFC 8594): from when it may stop answering
  (``GRIDGOV_API_ALIAS_SUNSET``);
- ``Link: <…/api/v1/…>; rel="successor-version"`` and the docs as ``rel="deprecation"``.

The policy (how long a version lives, what changes need a new one) is docs/api.md.
"""

import datetime as dt

from django.conf import settings
from django.utils.http import http_date

CURRENT = "v1"
CURRENT_PREFIX = f"/api/{CURRENT}/"
ALIAS_PREFIX = "/api/"
ALIAS_NAMESPACE = "unversioned"
# The day the unversioned alias was deprecated (the day /api/v1/ was introduced).
ALIAS_DEPRECATED_ON = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
DOCS_PATH = f"{CURRENT_PREFIX}docs/"


def only_current_version(endpoints, **kwargs):
    """drf-spectacular ``PREPROCESSING_HOOKS`` entry: the schema lists ``/api/v1/`` only (the
    alias is the same operations again; CKAN's ``/api/3/action/`` is not part of it)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(CURRENT_PREFIX)]


def successor(path: str) -> str:
    """The versioned path of an alias path (``/api/areas/?q=x`` → ``/api/v1/areas/?q=x``)."""
    return CURRENT_PREFIX + path[len(ALIAS_PREFIX):]


def sunset() -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(settings.GRIDGOV_API_ALIAS_SUNSET),
                               dt.time(), tzinfo=dt.UTC)


def deprecation_headers(request) -> dict[str, str]:
    links = [f'<{request.build_absolute_uri(successor(request.get_full_path()))}>; '
             'rel="successor-version"',
             f'<{request.build_absolute_uri(DOCS_PATH)}>; rel="deprecation"']
    return {
        "Deprecation": f"@{int(ALIAS_DEPRECATED_ON.timestamp())}",
        "Sunset": http_date(sunset().timestamp()),
        "Link": ", ".join(links),
    }


class DeprecatedAliasMiddleware:
    """Mark every answer given through the unversioned alias as deprecated (module docstring).
    Only routes of the alias namespace: CKAN's ``/api/3/action/`` and ``/api/action/`` share
    the prefix but are another interface with its own rules."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and ALIAS_NAMESPACE in match.namespaces:
            for name, value in deprecation_headers(request).items():
                if name == "Link" and response.has_header("Link"):
                    value = f"{response['Link']}, {value}"
                response[name] = value
        return response
