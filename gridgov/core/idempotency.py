"""Idempotent writes: a retried POST/PUT/PATCH/DELETE answers with the first result.

A client marks a write with a key: the ``Idempotency-Key`` header (API), or the hidden form
field ``idempotency_key`` that ``gridgov/js/idempotency.js`` adds to every POST form of the
pages (a uuid4 per page load, kept when the browser submits the same form again; read only on
CSRF-protected pages: the REST API, CKAN and Open311 take the header). The middleware
(``gridgov.core.middleware.IdempotencyMiddleware``) then, before the view runs:

1. computes the request's fingerprint (method, full path, body digest; for form bodies the
   parsed fields without the CSRF token and the key, and each file's name, size and digest,
   so a re-sent multipart body with a new boundary is still "the same request");
2. inserts ``core.IdempotencyRecord`` (principal, key) in its own transaction. The row is
   unique, so of two concurrent requests one inserts and runs the view, and the other finds
   the row: still running → **409** ``idempotency_key_in_progress``; finished → the stored
   answer is **replayed** without running the view (header ``Idempotent-Replayed: true``);
   another fingerprint → **422** ``idempotency_key_reused`` (the IETF Idempotency-Key draft;
   the intake API has answered so since before this module);
3. after the view: answers below 500 are stored (status, body and the headers that matter:
   Content-Type, Location, Cache-Control, Content-Disposition, Content-Language). A 5xx,
   401, 403 or 429 releases the key instead (nothing happened that a retry should be told
   about, and the retry may well succeed), as does a streamed answer (cannot be kept).
   Cookies are never replayed.

Principals. The key belongs to whoever sent it, so two clients never see each other's answers:

- a request carrying credentials in a header (``Authorization: Api-Key …``,
  ``Authorization: Device …``, ``X-API-Key``): that credential (a device token or an API key
  is one client of its user or department). This needs no database lookup; a bad credential
  gets 401 from the view, which releases the key;
- a signed-in session: the user;
- anonymous (the residents' report form): the session when the visitor has one, else the
  client address. The key alone would let anyone who learns a key (it travels in a form) read
  the stored answer, which for the report form holds the resident's secret tracking link; with
  the address it must also come from the same network. A resident whose phone changes network
  between the first try and the retry misses the replay, and the intake's own ``form_token``
  still makes the retry find the event it created, so nothing is written twice.

Stored answers can hold secrets shown once (an issued API key or device token, a tracking
link): they are encrypted (AES-GCM) with a key derived from ``SECRET_KEY``, the principal
and the client's idempotency key, which itself is never stored (the row holds an HMAC of
it). Whoever reads the table alone learns nothing; the client that holds the key gets its
answer back. Records expire after 24 hours: older ones are ignored at once and deleted by
``gridgov.core.tasks.purge_idempotency_records``.

Endpoints that handle their own key (``SELF_MANAGED_ROUTES``) are left alone: the intake
API keeps the key on the event row and answers a retry 200 with the same event.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
import re
from io import BytesIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .context import current_client_ip
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_RE = re.compile(r"^[\x21-\x7e]{1,80}$")
TTL = dt.timedelta(hours=24)
# A first request still "running" after this long died with its process: a retry takes over.
RUNNING_TIMEOUT = dt.timedelta(minutes=15)
STORED_HEADERS = ("Content-Type", "Location", "Cache-Control", "Content-Disposition",
                  "Content-Language")
# Answers that mean "not processed, may succeed later": the key is released, not stored.
RELEASED_STATUSES = frozenset({401, 403, 429})
# Form fields that differ between two submissions of the same form and say nothing of it.
UNFINGERPRINTED_FIELDS = frozenset({"csrfmiddlewaretoken", FORM_FIELD})
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# url names of endpoints that keep their own idempotency (see the module docstring).
SELF_MANAGED_ROUTES = frozenset({"event-intake-report"})
REPLAYED_HEADER = "Idempotent-Replayed"


def _error(status, code, message, *, field=HEADER) -> JsonResponse:
    return JsonResponse({"errors": [{"field": field, "code": code, "message": message}]},
                        status=status)


def principal_tag(request) -> str:
    """Who the key belongs to (see the module docstring); never stored in the clear."""
    credential = (request.META.get("HTTP_AUTHORIZATION") or request.META.get("HTTP_X_API_KEY")
                  or "").strip()
    if credential:
        return "c:" + hashlib.sha256(credential.encode("utf-8")).hexdigest()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if session_key:
        return f"s:{session_key}"
    # Set by RequestContextMiddleware (which honours GRIDGOV_TRUST_PROXY).
    return f"a:{current_client_ip() or request.META.get('REMOTE_ADDR', '')}"


def _is_page(view_func) -> bool:
    """A CSRF-protected page view: its forms are parsed anyway (the CSRF check reads them).

    CSRF-exempt views (the REST API, CKAN, Open311) are machine interfaces: they use the
    header only, and their bodies are left for them to read as they like (CKAN reads the
    raw body, which parsing a multipart form here would consume)."""
    return not getattr(view_func, "csrf_exempt", False)


def _parse_form(request, view_func) -> bool:
    """Whether to fingerprint the parsed form rather than the raw bytes: a multipart body's
    boundary changes from one sending to the next, its fields and files do not. Pages parse
    their forms anyway; DRF accepts a form parsed before it (``request.POST`` in middleware)."""
    return (request.method == "POST" and request.content_type in FORM_TYPES
            and (_is_page(view_func) or getattr(view_func, "cls", None) is not None))


def key_from(request, view_func) -> str | None:
    """The client's key: the header, else (page forms only) the hidden field."""
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "")
    if (not key and request.method == "POST" and request.content_type in FORM_TYPES
            and _is_page(view_func)):
        key = request.POST.get(FORM_FIELD, "")
    key = key.strip()
    return key or None


def fingerprint(request, view_func=None) -> str:
    """Digest of what makes two requests "the same": method, full path and content."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\0{request.get_full_path()}\0".encode())
    if _parse_form(request, view_func):
        for name in sorted(request.POST):
            if name not in UNFINGERPRINTED_FIELDS:
                for value in request.POST.getlist(name):
                    digest.update(f"f\0{name}\0{value}\0".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"u\0{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(_raw_body(request))
    return digest.hexdigest()


def _raw_body(request) -> bytes:
    """The request body, kept for the view to read again.

    ``request.body`` refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, which DRF's JSON parser
    (reading the stream) never did: a large area outline must not start failing only because
    its client sent a key. The check comes before any read, so the stream is still whole.
    """
    try:
        return request.body
    except RequestDataTooBig:
        body = request.read()
        request._body = body
        request._stream = BytesIO(body)
        return body


def _secret(principal: str, key: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"{principal}\0{key}".encode(),
                    hashlib.sha256).digest()


def _key_hash(secret: bytes) -> str:
    return hmac.new(secret, b"gridgov-idempotency-row", hashlib.sha256).hexdigest()


def _cipher(secret: bytes) -> AESGCM:
    return AESGCM(hmac.new(secret, b"gridgov-idempotency-body", hashlib.sha256).digest())


def _seal(secret: bytes, response) -> bytes:
    payload = json.dumps({
        "headers": {h: response[h] for h in STORED_HEADERS if response.has_header(h)},
        "body": base64.b64encode(response.content).decode("ascii"),
    }).encode()
    nonce = os.urandom(12)
    return nonce + _cipher(secret).encrypt(nonce, payload, None)


def _unseal(secret: bytes, record) -> HttpResponse:
    blob = bytes(record.response)
    payload = json.loads(_cipher(secret).decrypt(blob[:12], blob[12:], None))
    response = HttpResponse(base64.b64decode(payload["body"]), status=record.status)
    for name, value in payload["headers"].items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class Claim:
    """The right to run a keyed request once; ``finish(response)`` stores or releases it."""

    def __init__(self, record, secret):
        self.record = record
        self.secret = secret

    def finish(self, response) -> None:
        status = response.status_code
        rows = IdempotencyRecord.objects.filter(pk=self.record.pk)
        if status >= 500 or status in RELEASED_STATUSES or response.streaming:
            rows.delete()
            return
        rows.update(status=status, response=_seal(self.secret, response),
                    completed_at=timezone.now())

    def release(self) -> None:
        IdempotencyRecord.objects.filter(pk=self.record.pk).delete()


def _insert(key_hash, digest, now):
    try:
        # Its own transaction (a savepoint inside a test's): committed before the view runs,
        # so a concurrent retry sees it.
        with transaction.atomic():
            return IdempotencyRecord.objects.create(key_hash=key_hash, fingerprint=digest,
                                                    created_at=now)
    except IntegrityError:
        return None


def claim(request, key: str, view_func=None):
    """A ``Claim`` to run the view, or the answer to give instead (replay, 409, 422)."""
    if not KEY_RE.match(key):
        return _error(400, "invalid", _("幂等键须为 1–80 个可见 ASCII 字符。"))
    secret = _secret(principal_tag(request), key)
    key_hash = _key_hash(secret)
    digest = fingerprint(request, view_func)
    for _attempt in range(3):
        now = timezone.now()
        record = _insert(key_hash, digest, now)
        if record is not None:
            return Claim(record, secret)
        existing = IdempotencyRecord.objects.filter(key_hash=key_hash).first()
        if existing is None:  # released between our insert and our read: try again
            continue
        if existing.created_at < now - TTL:
            IdempotencyRecord.objects.filter(pk=existing.pk,
                                             created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != digest:
            return _error(422, "idempotency_key_reused",
                          _("该幂等键已用于另一内容不同的请求。"))
        if existing.status is not None:
            return _unseal(secret, existing)
        if existing.created_at < now - RUNNING_TIMEOUT and IdempotencyRecord.objects.filter(
                pk=existing.pk, status__isnull=True, created_at=existing.created_at,
        ).update(created_at=now):
            existing.created_at = now
            return Claim(existing, secret)
        response = _error(409, "idempotency_key_in_progress",
                          _("使用该幂等键的请求仍在处理中,请稍后重试。"))
        response["Retry-After"] = "1"
        return response
    return _error(409, "idempotency_key_in_progress",
                  _("使用该幂等键的请求仍在处理中,请稍后重试。"))


def applies(request) -> bool:
    """Whether the generic handling covers this request (a keyed write, not self-managed)."""
    if request.method not in WRITE_METHODS:
        return False
    match = getattr(request, "resolver_match", None)
    return not (match is not None and match.url_name in SELF_MANAGED_ROUTES)


def purge_expired(now=None) -> int:
    """Delete the records older than ``TTL``; returns how many."""
    cutoff = (now or timezone.now()) - TTL
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- OpenAPI ---------------------------------------------------------------------------------

HEADER_PARAMETER = {
    "in": "header", "name": HEADER, "required": False,
    "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,80}$"},
    "description": (
        "幂等键(1–80 个可见 ASCII 字符,建议 UUID)。同一调用方以同一幂等键重试时,返回首次请求的"
        "结果(状态码与响应体,响应头 Idempotent-Replayed: true),写操作只执行一次;"
        "同一幂等键用于不同内容的请求返回 422,首次请求尚未完成时返回 409。保存 24 小时。"
    ),
}


def add_idempotency_header(result, generator, request, public):
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry: every write operation documents the
    ``Idempotency-Key`` header and its 409 / 422 answers."""
    ref = {"$ref": "#/components/schemas/ErrorList"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() not in WRITE_METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
                parameters.append(dict(HEADER_PARAMETER))
            responses = operation.setdefault("responses", {})
            responses.setdefault("409", {
                "description": "同一幂等键的首次请求仍在处理中(或与当前状态冲突)",
                "content": {"application/json": {"schema": ref}}})
            responses.setdefault("422", {
                "description": "幂等键已用于另一内容不同的请求",
                "content": {"application/json": {"schema": ref}}})
    return result
