"""The REST API's throttles, counted on the shared store (``gridgov.core.throttle``).

DRF's own throttles keep a list of timestamps in the cache, read and written back without a
lock, and per process with the default ``LocMemCache``: neither holds across workers. These
count in Redis or the database like every other limit:

- ``PrincipalRateThrottle``: ``GRIDGOV_RATE_API`` per signed-in person (session or device
  token: one person, one count) or per department key, and ``GRIDGOV_RATE_API_ANON`` per
  client address for anyone else;
- ``ImportRateThrottle``: ``GRIDGOV_RATE_IMPORT`` per principal, on endpoints that import a
  batch (``throttle_classes`` of the hotline import), the same count as the import pages.

Over the limit the API answers 429 with ``Retry-After`` in the usual error shape.
"""

from rest_framework.throttling import BaseThrottle

from . import throttle


class SharedRateThrottle(BaseThrottle):
    """Counts each request on the shared store; subclasses say under which rate."""

    def decide(self, request) -> throttle.Decision:
        raise NotImplementedError

    def allow_request(self, request, view):
        self.decision = self.decide(request)
        return self.decision.allowed

    def wait(self):
        return self.decision.retry_after


class PrincipalRateThrottle(SharedRateThrottle):
    """``GRIDGOV_RATE_API`` per principal, ``GRIDGOV_RATE_API_ANON`` per address."""

    def decide(self, request):
        who = throttle.principal_key(request.user)
        if who is None:
            return throttle.check("api-anon", throttle.client_address(request))
        return throttle.check("api", who)


class ImportRateThrottle(SharedRateThrottle):
    """``GRIDGOV_RATE_IMPORT`` per principal (or address), shared with the import pages."""

    def decide(self, request):
        return throttle.check_import(request)
