"""Middleware that opens the request context (request id, client address)."""

import re

from . import idempotency
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


class IdempotencyMiddleware:
    """Answer a retried write with its first result (``gridgov.core.idempotency``).

    Placed after authentication and CSRF: ``process_view`` runs once the URL is resolved and
    the CSRF check has passed, claims the key (or answers with the stored result, 409 or
    422), and ``__call__`` stores the view's answer under the claim.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            claim = getattr(request, "_idempotency_claim", None)
            if claim is not None:
                claim.release()
            raise
        claim = getattr(request, "_idempotency_claim", None)
        if claim is not None:
            claim.finish(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not idempotency.applies(request):
            return None
        key = idempotency.key_from(request, view_func)
        if key is None:
            return None
        outcome = idempotency.claim(request, key, view_func)
        if isinstance(outcome, idempotency.Claim):
            request._idempotency_claim = outcome
            return None
        return outcome
