"""``Cache-Control: no-store`` on everything a signed-in person or a client with a key is shown.

Pages and API answers behind a sign-in (people, houses, events, accounts, the audit log, the
person API) and every download carry personal data; a browser's disk cache, a shared proxy or
the back button of a shared office computer must not keep them. Marking views one by one
misses the next view, so the rule is general: an answer gets ``Cache-Control: no-store`` (and
``Pragma: no-cache`` for HTTP/1.0 caches) when

- the request is signed in (a session user, a device token) or carries an API key
  (``Authorization``, ``X-Api-Key``, Open311's ``api_key`` parameter), or
- the answer is a download (``Content-Disposition``: exports, attachments, reports),

unless the view set ``Cache-Control`` itself: a view that marks its answer cacheable on
purpose (the public area outlines: ``public, max-age``) keeps it. Static files never come here
(WhiteNoise answers them earlier in the middleware list).
"""

from django.conf import settings

NO_STORE = "no-store"


def _has_credentials(request) -> bool:
    meta = request.META
    if meta.get("HTTP_AUTHORIZATION") or meta.get("HTTP_X_API_KEY"):
        return True
    if "api_key" in request.GET:
        return True
    # A form body is looked at only if the view already parsed it (reading it here could
    # consume a stream the view did not want read).
    post = getattr(request, "_post", None)
    return bool(post is not None and "api_key" in post)


def _signed_in(request) -> bool:
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False  # no session: nobody signed in, and no session read for nothing
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def needs_no_store(request, response) -> bool:
    """Whether ``response`` must carry ``no-store`` (the rule above)."""
    if response.has_header("Cache-Control"):
        return False
    if response.has_header("Content-Disposition"):
        return True
    return _has_credentials(request) or _signed_in(request)


class NoStoreMiddleware:
    """Add ``Cache-Control: no-store`` and ``Pragma: no-cache`` where ``needs_no_store``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if needs_no_store(request, response):
            response["Cache-Control"] = NO_STORE
            response["Pragma"] = "no-cache"
        return response
