"""What the protocol adapters share.

Each adapter keeps its own wire format (CKAN's envelope, Open311's JSON/XML lists); the
questions behind them are answered here, once, so the next adapter (OGC API – Features)
answers them the same way:

- who is calling: ``caller()`` (a key if one is sent, else the signed-in user, else anonymous)
  and ``key_client()`` (a key is required), both through ``authenticate_key``;
- what the caller may read: ``readable_resources()`` and ``row_grant()`` over the data
  resource centre, ``event_services()`` over the event catalogue;
- errors: adapters raise ``ProtocolError`` and let Django's ``ValidationError``,
  ``PermissionDenied`` and 404 propagate; ``protocol_errors(render)`` turns all of them into one
  ``ProtocolError`` and hands it to the adapter's renderer;
- limits: ``protocol_errors(render, rate="open311", raw_key=...)`` first counts the request on
  the shared throttle (``gridgov.core.throttle``): ``GRIDGOV_RATE_<PROTOCOL>`` per department
  key or signed-in person, ``GRIDGOV_RATE_<PROTOCOL>_ANON`` per client address for anyone
  else (an unknown key counts as anonymous, so made-up keys do not buy fresh counts). Over the
  limit the adapter answers 429 in its own error shape, with ``Retry-After``.
"""

import functools

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from gridgov.accounts.api.authentication import ApiClient, authenticate_key
from gridgov.core import throttle
from gridgov.core.access import require
from gridgov.events.models import MinorCategory
from gridgov.sharing.choices import OpenAttribute
from gridgov.sharing.exchange import active_grant
from gridgov.sharing.models import Grant, Resource

# --- errors ---------------------------------------------------------------------------------


class ProtocolError(Exception):
    """An error a protocol answers in its own shape: the HTTP status, one or more messages
    and, for invalid input, the reasons by field name."""

    def __init__(self, status: int, *messages, fields: dict | None = None,
                 retry_after: int = 0):
        super().__init__(*messages)
        self.status = status
        self.messages = [str(m) for m in messages]
        self.fields = dict(fields or {})
        # Seconds a throttled caller should wait (the answer's Retry-After), 0 for none.
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return "; ".join(self.messages)


def as_protocol_error(exc: Exception, *, invalid_status: int = 400, denied_message: str = "",
                      not_found_message: str = "") -> ProtocolError:
    """``exc`` (a ``ProtocolError``, ``ValidationError``, ``PermissionDenied`` or 404) as one
    ``ProtocolError``. Protocols disagree on the status of invalid input (CKAN: 409)."""
    if isinstance(exc, ProtocolError):
        return exc
    if isinstance(exc, ValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        return ProtocolError(invalid_status, *exc.messages, fields=fields)
    if isinstance(exc, PermissionDenied):
        return ProtocolError(403, str(exc) or denied_message or _("无权访问。"))
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return ProtocolError(404, str(exc) or not_found_message or _("找不到请求的对象。"))
    raise TypeError(f"not a protocol error: {exc!r}")


HANDLED = (ProtocolError, ValidationError, PermissionDenied, Http404, ObjectDoesNotExist)


def protocol_errors(render, *, rate: str = "", raw_key=None, **options):
    """Decorate a view so that its errors become ``render(request, error, *args, **kwargs)``
    with one ``ProtocolError``; ``options`` go to ``as_protocol_error``. With ``rate`` (the
    protocol's name), each request is first counted against its limits (``limit_caller``;
    ``raw_key(request)`` reads the key the caller sent)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                if rate:
                    limit_caller(request, raw_key(request) if raw_key else "", rate=rate)
                return view(request, *args, **kwargs)
            except HANDLED as exc:
                error = as_protocol_error(exc, **options)
                response = render(request, error, *args, **kwargs)
                if error.retry_after:
                    response["Retry-After"] = str(error.retry_after)
                return response

        return wrapped

    return decorate


# --- limits ---------------------------------------------------------------------------------


def limit_caller(request, raw_key: str, *, rate: str) -> None:
    """Count the request: per key or signed-in person under ``rate``, per client address
    under ``<rate>-anon``; ``ProtocolError(429)`` with ``retry_after`` over the limit."""
    principal = _key_client(request, raw_key) if raw_key else None
    if principal is None and not raw_key:
        user = getattr(request, "user", None)
        principal = user if user is not None and user.is_authenticated else None
    who = throttle.principal_key(principal)
    if who is None:
        decision = throttle.check(f"{rate}-anon", throttle.client_address(request))
    else:
        decision = throttle.check(rate, who)
    if not decision.allowed:
        message = _("请求过于频繁,请 %(s)d 秒后再试。") % {"s": decision.retry_after}
        raise ProtocolError(429, message, retry_after=decision.retry_after)


# --- who is calling -------------------------------------------------------------------------


def key_client(raw: str, *, message: str) -> ApiClient:
    """The ``ApiClient`` of a department key that must be valid: an unknown or revoked key (or
    one of an inactive department) is ``PermissionDenied(message)``."""
    client = authenticate_key(raw)
    if client is None:
        raise PermissionDenied(message)
    return client


def _key_client(request, raw: str) -> ApiClient | None:
    """``authenticate_key(raw)``, once per request (the limit and the view both ask)."""
    cached = getattr(request, "_gridgov_key_client", None)
    if cached is None or cached[0] != raw:
        cached = (raw, authenticate_key(raw))
        request._gridgov_key_client = cached
    return cached[1]


def caller(request, raw_key: str, *, invalid_key_message: str):
    """The caller of a read: the ``ApiClient`` of ``raw_key`` when a key is sent (a bad key is
    refused, never read as anonymous), else the signed-in user, else ``None`` (anonymous)."""
    if raw_key:
        client = _key_client(request, raw_key)
        if client is None:
            raise PermissionDenied(invalid_key_message)
        return client
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


# --- what the caller may read ---------------------------------------------------------------


def readable_resources(principal):
    """The published sharing resources the caller may list and describe: for anonymous
    callers those open to the public (开放属性 = 向社会开放), otherwise what ``restrict()``
    lets the principal see (the whole published catalog for a department)."""
    qs = Resource.objects.select_related("provider").prefetch_related("fields")
    if principal is None:
        return qs.filter(is_published=True, open_attribute=OpenAttribute.OPEN)
    return qs.restrict(principal).filter(is_published=True)


def require_row_reader(principal, *, message: str):
    """Let through a caller that may read granted rows (``protocols.read_rows``): anonymous
    callers never may. Returns the caller's scope, whose department is the grant's
    consumer."""
    if principal is None:
        raise PermissionDenied(message)
    return require(principal, "protocols.read_rows", message=message)


def row_grant(scope, resource) -> Grant:
    """The active grant through which the caller's department reads ``resource``'s rows
    (which fields, which masked); ``PermissionDenied`` if it holds none."""
    return active_grant(resource, scope.department_id)


def event_services():
    """The event catalogue as a protocol offers it: the active minor classes, by code."""
    return MinorCategory.objects.filter(is_active=True).select_related("major").order_by("code")
