"""Middleware that opens the request context (request id, client address)."""

import re

from .context import request_context

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def client_address(request) -> str:
    """The client's address. Behind a proxy, only the first X-Forwarded-For hop is used when
    the deployment says it sits behind one (GRIDGOV_TRUST_PROXY)."""
    from django.conf import settings

    if getattr(settings, "GRIDGOV_TRUST_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


class RequestContextMiddleware:
    """Give each request an id (a client's X-Request-ID when well-formed) and echo it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = supplied if _REQUEST_ID_RE.match(supplied) else ""
        with request_context(request_id, client_address(request)):
            from .context import current_request_id

            request.request_id = current_request_id()
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response
