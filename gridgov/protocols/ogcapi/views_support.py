"""What every OGC API view shares: the caller's key, content negotiation (``f`` and
``Accept``), links, JSON answers and the error answer.

Errors are OGC's exception shape, ``{"code": ..., "description": ...}`` (plus ``fields`` for
invalid parameters), with 400 / 403 / 404 / 429 (``Retry-After``); a browser asking for HTML
gets the same message on a page.
"""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.protocols.common import ProtocolError, caller

from . import params

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
FORMATS = {"json": JSON, "geojson": GEOJSON, "html": HTML, "application/json": JSON,
           "application/geo+json": GEOJSON, "text/html": HTML}
CODES = {400: "InvalidParameterValue", 403: "Forbidden", 404: "NotFound",
         405: "MethodNotAllowed", 406: "NotAcceptable", 429: "TooManyRequests"}
# Parameters a link keeps from the request it answers (paging and format are set per link).
KEPT = ("bbox", "bbox-crs", "datetime", "limit", "crs", "api_key")


def not_found(message: str) -> ProtocolError:
    return ProtocolError(404, message)


def raw_key(request) -> str:
    """The department key: ``Authorization: Api-Key <key>`` (or ``Bearer``), ``X-API-Key``, or
    ``api_key`` in the query (for desktop clients such as QGIS, whose layer URL can carry it
    where a header is awkward)."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    for scheme in ("api-key ", "bearer "):
        if header.lower().startswith(scheme):
            return header[len(scheme):].strip()
    return (request.META.get("HTTP_X_API_KEY", "").strip()
            or request.GET.get("api_key", "").strip())


def principal(request):
    """The caller: a department key's client, else the signed-in user, else None."""
    return caller(request, raw_key(request), invalid_key_message=_("API 密钥无效或已吊销。"))


def _accept_weights(header: str) -> dict:
    weights = {}
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for bit in bits[1:]:
            if bit.startswith("q="):
                try:
                    q = float(bit[2:])
                except ValueError:
                    q = 0.0
        weights[bits[0].lower()] = max(q, weights.get(bits[0].lower(), 0.0))
    return weights


def wants_html(request) -> bool:
    """``f=html`` / ``f=json`` decide; else the ``Accept`` header, where HTML must be
    preferred over JSON (a browser) — ``*/*`` and no header mean JSON (programs)."""
    fmt = request.GET.get("f")
    if fmt:
        kind = FORMATS.get(fmt.lower())
        if kind is None:
            raise params.bad("f", _("应为 json 或 html。"))
        return kind == HTML
    weights = _accept_weights(request.META.get("HTTP_ACCEPT", ""))
    html = max(weights.get(HTML, 0.0), weights.get("application/xhtml+xml", 0.0))
    json_q = max(weights.get(JSON, 0.0), weights.get(GEOJSON, 0.0),
                 weights.get("*/*", 0.0) - 0.001, weights.get("application/*", 0.0))
    return html > 0 and html >= json_q


def link_url(request, path: str, *, fmt: str | None = None, keep=KEPT, **extra) -> str:
    """An absolute link to ``path`` keeping the request's parameters named in ``keep``."""
    query = [(k, request.GET[k]) for k in keep if request.GET.get(k)]
    if fmt:
        query.append(("f", fmt))
    query.extend((k, v) for k, v in extra.items() if v is not None)
    url = request.build_absolute_uri(path)
    return f"{url}?{urlencode(query)}" if query else url


def link(request, path, rel, media_type, title, *, fmt=None, keep=KEPT, **extra) -> dict:
    return {"href": link_url(request, path, fmt=fmt, keep=keep, **extra), "rel": rel,
            "type": media_type, "title": str(title)}


def json_response(body: str, *, content_type=JSON, status=200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")


def render_error(request, error: ProtocolError, *args, **kwargs):
    """The OGC exception as JSON, or a page for a browser."""
    try:
        html = wants_html(request) and request.GET.get("f", "").lower() != "json"
    except ProtocolError:
        html = False
    if html:
        return render(request, "gis/ogcapi/error.html",
                      {"status": error.status, "message": error.message}, status=error.status)
    from .collections import DUMPS

    body = {"code": CODES.get(error.status, "Error"), "description": error.message}
    if error.fields:
        body["fields"] = error.fields
    return json_response(DUMPS(body), status=error.status)
