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
  ``ProtocolError`` and hands it to the adapter's renderer.
"""

import functools

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from gridgov.accounts.api.authentication import ApiClient, authenticate_key
from gridgov.core.access import require
from gridgov.events.models import MinorCategory
from gridgov.sharing.choices import OpenAttribute
from gridgov.sharing.exchange import active_grant
from gridgov.sharing.models import Grant, Resource

# --- errors ---------------------------------------------------------------------------------


class ProtocolError(Exception):
    """An error a protocol answers in its own shape: the HTTP status, one or more messages
    and, for invalid input, the reasons by field name."""

    def __init__(self, status: int, *messages, fields: dict | None = None):
        super().__init__(*messages)
        self.status = status
        self.messages = [str(m) for m in messages]
        self.fields = dict(fields or {})

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


def protocol_errors(render, **options):
    """Decorate a view so that its errors become ``render(request, error, *args, **kwargs)``
    with one ``ProtocolError``; ``options`` go to ``as_protocol_error``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except HANDLED as exc:
                return render(request, as_protocol_error(exc, **options), *args, **kwargs)

        return wrapped

    return decorate


# --- who is calling -------------------------------------------------------------------------


def key_client(raw: str, *, message: str) -> ApiClient:
    """The ``ApiClient`` of a department key that must be valid: an unknown or revoked key (or
    one of an inactive department) is ``PermissionDenied(message)``."""
    client = authenticate_key(raw)
    if client is None:
        raise PermissionDenied(message)
    return client


def caller(request, raw_key: str, *, invalid_key_message: str):
    """The caller of a read: the ``ApiClient`` of ``raw_key`` when a key is sent (a bad key is
    refused, never read as anonymous), else the signed-in user, else ``None`` (anonymous)."""
    if raw_key:
        return key_client(raw_key, message=invalid_key_message)
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
