"""CORS for the public Open311 reads: partners' browser apps (a map of open requests, a
status widget) read discovery, services, definitions, requests, notes, media and tokens from
any origin.

- GET / HEAD answers carry ``Access-Control-Allow-Origin: *``, errors included, so a browser
  app can read the error list too. ``*`` never carries cookies, so a signed-in person's
  session is never used by another origin's script.
- A preflight (``OPTIONS``) answers 204 with the methods ``GET, HEAD, OPTIONS`` and the
  plain request headers; it is not counted against the rate limits.
- POST (creating a request) is not opened to browsers: it needs a department API key, and a
  key in a web page is a key published. A partner posts from its server; a browser's
  preflight for POST learns that POST is not allowed, and a POST answer has no
  ``Access-Control-Allow-Origin``. For the same reason ``Authorization`` is not an allowed
  header: keyed reads belong on a server too.
"""

import functools

from django.http import HttpResponse

READ_METHODS = ("GET", "HEAD")
ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Accept, Accept-Language, Content-Language, If-Modified-Since, If-None-Match"
MAX_AGE = 86400  # a day: the rules change with a release, not with the data


def preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response["Access-Control-Max-Age"] = str(MAX_AGE)
    return response


def public_cors(view):
    """Answer preflights and open the view's GET / HEAD answers to every origin."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            return preflight()
        response = view(request, *args, **kwargs)
        if request.method in READ_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped
