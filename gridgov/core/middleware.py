"""Middleware that opens the request context (request id, client address)."""

import re

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

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
        from gridgov.accounts.totp import single_use_codes

        # A TOTP code accepted while serving a request is not accepted again (replay).
        with request_context(request_id, client_address(request)), single_use_codes():
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


# --- JSON bodies (the API's parser; here, not in gridgov.core.api, which DRF's settings
# cannot import while DRF's views are loading) ------------------------------------------------

# How deep a JSON body may nest (objects and arrays); real bodies stay far below it.
MAX_JSON_DEPTH = 64


def from_json_decoding(exc: BaseException) -> bool:
    """Whether a RecursionError was raised while decoding JSON (a body nested too deeply for
    the decoder), rather than by a bug in our own code."""
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        if name.endswith(("json/decoder.py", "json/__init__.py", "rest_framework/parsers.py")):
            return True
        tb = tb.tb_next
    return False


def too_deep_error() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("JSON 嵌套过深(最多 %(n)d 层)。") % {"n": MAX_JSON_DEPTH}, code="too_deep")


def check_json_value(value, path: str = "") -> None:
    """Refuse a decoded JSON body nested deeper than ``MAX_JSON_DEPTH`` or holding a NUL
    character in a key or string (no database column takes one: PostgreSQL refuses it)."""
    stack = [(value, 0, path)]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise too_deep_error()
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str) and "\x00" in key:
                    raise exceptions.ValidationError(
                        {where or "body": [_("不能含有空字符(NUL)。")]})
                stack.append((child, depth + 1, f"{where}.{key}" if where else str(key)))
        elif isinstance(item, str) and "\x00" in item:
            raise exceptions.ValidationError({where or "body": [_("不能含有空字符(NUL)。")]})


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit and no NUL characters: a body nested 100,000
    deep or carrying ``\\u0000`` answers 400, not 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep_error() from None
        check_json_value(data)
        return data


# --- hardening: bad input, error answers, outages, idle sessions, security headers ----------

_NUL = "\x00"
# Seconds a client is told to wait when the database is unreachable.
RETRY_AFTER_SECONDS = 30
_DB_DOWN_ATTR = "_gridgov_database_down"
_HTML_503 = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
    "<title>服务暂时不可用</title></head><body><h1>服务暂时不可用</h1>"
    "<p>数据库暂时无法连接,请稍后重试。</p></body></html>"
)


def error_body(status: int, *, code: str | None = None, message: str | None = None,
               field: str | None = None) -> dict:
    """The shared error shape (``gridgov.core.api``) for an answer made outside DRF."""
    defaults = {
        400: ("invalid", _("请求无效。")),
        401: ("not_authenticated", str(exceptions.NotAuthenticated.default_detail)),
        403: ("permission_denied", str(exceptions.PermissionDenied.default_detail)),
        404: ("not_found", str(exceptions.NotFound.default_detail)),
        405: ("method_not_allowed", _("不允许此请求方法。")),
        413: ("too_large", _("请求过大。")),
        503: ("service_unavailable", _("服务暂时不可用,请稍后重试。")),
    }
    default_code, default_message = defaults.get(
        status, ("error", str(exceptions.APIException.default_detail)))
    return {"errors": [{"field": field, "code": code or default_code,
                        "message": message or default_message}]}


def error_response(status: int, **kwargs):
    from django.http import JsonResponse

    return JsonResponse(error_body(status, **kwargs), status=status,
                        json_dumps_params={"ensure_ascii": False})


def wants_json(request) -> bool:
    """A JSON client: an API path, or an Accept header that prefers JSON over HTML."""
    path = request.path_info or ""
    if path.startswith("/api/"):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    if "json" not in accept:
        return False
    return request.get_preferred_type(["application/json", "text/html"]) == "application/json"


def _database_down(exc) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def _unavailable(request):
    from django.http import HttpResponse

    if wants_json(request):
        response = error_response(503)
    else:
        response = HttpResponse(_HTML_503, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _note_uncaught_exception(sender, request=None, **kwargs):
    """Remember on the request that an uncaught exception was a lost database, so the error
    middleware turns Django's 500 (made deeper in the stack) into a 503."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None and _database_down(exc):
        setattr(request, _DB_DOWN_ATTR, True)


def _connect_signal():
    from django.core.signals import got_request_exception

    got_request_exception.connect(_note_uncaught_exception,
                                  dispatch_uid="gridgov.core.middleware.database_down")


class ErrorResponseMiddleware:
    """Error answers a client can use.

    - A database that cannot be reached (``OperationalError`` / ``InterfaceError``, wherever in
      the stack it was raised) answers 503 with ``Retry-After``, not 500.
    - A JSON body nested too deeply for the decoder (views decoding JSON themselves) answers
      400, not 500.
    - JSON clients (``wants_json``) get the shared ``{"errors": [...]}`` body for every error
      answer Django would have rendered as an HTML page (404, 403, 405, 500, ...).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        _connect_signal()

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _DB_DOWN_ATTR, False) and response.status_code == 500:
            return _unavailable(request)
        if response.status_code >= 400 and wants_json(request) and not getattr(
                response, "streaming", False):
            content_type = response.get("Content-Type", "")
            if not content_type.startswith("application/") or "json" not in content_type:
                return self._as_json(request, response)
        return response

    def process_exception(self, request, exception):
        if _database_down(exception):
            import logging

            logging.getLogger("django.request").error(
                "Database unavailable: %s", exception, exc_info=exception,
                extra={"status_code": 503, "request": request})
            return _unavailable(request)
        if isinstance(exception, RecursionError):
            if from_json_decoding(exception):
                return error_response(400, code="too_deep",
                                      message=str(too_deep_error().detail))
        return None

    @staticmethod
    def _as_json(request, response):
        answer = error_response(response.status_code)
        for header in ("Retry-After", "Allow", "WWW-Authenticate", "Vary", "Cache-Control"):
            if header in response:
                answer[header] = response[header]
        return answer


class RejectNulMiddleware:
    """A NUL character in a query parameter or form field answers 400 (no database column
    takes one; PostgreSQL raises on it, which was a 500).

    Query strings and url-encoded forms are checked before anything else runs. A multipart
    form is checked once the view is known, and only for views under CSRF protection (whose
    form Django's CSRF check parses anyway): a CSRF-exempt view may read the raw body, which
    parsing here would consume. JSON bodies are checked by ``JSONParser`` above.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = self._in(request.GET)
        if field is None and request.method == "POST" and (
                request.content_type == "application/x-www-form-urlencoded"):
            # Parsing keeps request.body readable for this content type.
            field = self._in(self._post(request))
        if field is not None:
            return self._refuse(field)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (request.method == "POST" and request.content_type == "multipart/form-data"
                and not getattr(view_func, "csrf_exempt", False)):
            field = self._in(self._post(request))
            if field is not None:
                return self._refuse(field)
        return None

    @staticmethod
    def _post(request):
        try:
            return request.POST
        except Exception:  # noqa: BLE001 - a malformed body is the view's to refuse
            return None

    @staticmethod
    def _in(data):
        if data is None:
            return None
        for key, values in data.lists():
            if _NUL in key or any(isinstance(v, str) and _NUL in v for v in values):
                return key.replace(_NUL, "")
        return None

    @staticmethod
    def _refuse(field):
        return error_response(400, field=field, code="null_character",
                              message=_("不能含有空字符(NUL)。"))


class SessionIdleTimeoutMiddleware:
    """Sign a session out after ``GRIDGOV_SESSION_IDLE_SECONDS`` without a request (default
    1800), and after ``SESSION_COOKIE_AGE`` from sign-in whatever the activity (default 8 h).
    A field session (the terminal at /m/, bound to a device row) has its own limits and ends
    when its device row is revoked: see ``gridgov.field.session``.

    The last activity is written to the session at most once a minute, so an active user does
    not cost a session write per request; the first stamp rides on the write that signing in
    makes. Place after ``AuthenticationMiddleware``.

    A request the page makes by itself (the alert feed, a queue refreshing itself: header
    ``X-GG-Background: 1``) is not activity: a tab left open must still sign out when idle.
    """

    SEEN = "_gridgov_seen"
    SINCE = "_gridgov_since"
    # Set by gridgov.field.session.bind: the session is a field session (36 h idle, 7 days
    # absolute by default: GRIDGOV_FIELD_SESSION_IDLE_SECONDS / GRIDGOV_FIELD_SESSION_AGE).
    FIELD_DEVICE = "gridgov_field_device"
    STAMP_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import SESSION_KEY, logout

        session = getattr(request, "session", None)
        now = int(time.time())
        if session is not None and session.get(SESSION_KEY) is not None:
            idle = getattr(settings, "GRIDGOV_SESSION_IDLE_SECONDS", 1800)
            absolute = settings.SESSION_COOKIE_AGE
            device = session.get(self.FIELD_DEVICE)
            if device is not None:
                # A field session (gridgov.field.session): its own limits, and it ends at
                # once when its device row is revoked or expired.
                from gridgov.field import session as field_session

                idle, absolute = field_session.idle_seconds(), field_session.max_age()
                if not field_session.device_alive(device):
                    logout(request)
            seen, since = session.get(self.SEEN), session.get(self.SINCE)
            if session.get(SESSION_KEY) is not None and (
                    (idle and seen is not None and now - seen > idle)
                    or (since is not None and now - since > absolute)):
                logout(request)
        response = self.get_response(request)
        if request.headers.get("X-GG-Background") == "1":
            return response
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) is not None:
            seen = session.get(self.SEEN)
            if seen is None:
                # Stamped when the session is saved anyway: signing in (and the TOTP step)
                # writes it, so every real sign-in is stamped at no extra cost.
                if session.modified:
                    session[self.SEEN] = now
                    session.setdefault(self.SINCE, now)
            elif now - seen >= self.STAMP_EVERY:
                session[self.SEEN] = now
                session.setdefault(self.SINCE, now)
        return response


def _origin_source(url: str) -> str:
    """The CSP source of a tile URL template (``https://{s}.tile.example.org/{z}/...`` →
    ``https://*.tile.example.org``); empty when it names no host."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{", "%7B").replace("}", "%7D"))
    host = parts.netloc.replace("%7B", "{").replace("%7D", "}")
    if not parts.scheme or not host:
        return ""
    if "{" in host:
        _first, _dot, rest = host.partition(".")
        if "{" in rest or not rest:
            # A placeholder past the first label cannot be written as a CSP source.
            return f"{parts.scheme}:"
        host = f"*.{rest}"
    return f"{parts.scheme}://{host}"


def content_security_policy(*, relaxed_scripts: bool = False) -> str:
    """The Content-Security-Policy the pages need: scripts, fonts, frames and connections
    only from this site; images also from the tile server; styles from this site plus
    inline ones (templates set colours in ``style`` attributes and one ``<style>`` block,
    and htmx and Leaflet set inline styles). No page has an inline script; the API docs page
    (drf-spectacular's Swagger UI) does, so it alone gets ``'unsafe-inline'`` for scripts."""
    from django.conf import settings

    override = getattr(settings, "GRIDGOV_CONTENT_SECURITY_POLICY", "")
    if override:
        return override
    images = ["'self'", "data:", "blob:"]
    tiles = _origin_source(getattr(settings, "GRIDGOV_TILE_URL", "") or "")
    if tiles:
        images.append(tiles)
    elif getattr(settings, "GRIDGOV_TIANDITU_KEY", ""):
        # Tianditu is the base when no tile URL is set (gridgov.web.basemap.tile_source).
        images.append("https://*.tianditu.gov.cn")
    scripts = ["'self'"] + (["'unsafe-inline'"] if relaxed_scripts else [])
    directives = [
        ("default-src", ["'self'"]),
        ("script-src", scripts),
        ("style-src", ["'self'", "'unsafe-inline'"]),
        ("img-src", images),
        ("font-src", ["'self'", "data:"]),
        ("connect-src", ["'self'"]),
        # The field terminal's service worker (/m/sw.js) and web app manifest: this site only.
        ("worker-src", ["'self'"]),
        ("manifest-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'self'"]),
        ("form-action", ["'self'"]),
        ("frame-ancestors", ["'none'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


class SecurityHeadersMiddleware:
    """Add the Content-Security-Policy header (``content_security_policy``) to every answer
    that does not set its own."""

    RELAXED_VIEWS = {"api-docs"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            relaxed = match is not None and match.url_name in self.RELAXED_VIEWS
            response["Content-Security-Policy"] = content_security_policy(
                relaxed_scripts=relaxed)
        return response
