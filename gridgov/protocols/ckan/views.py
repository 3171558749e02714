"""The one CKAN view: ``/api/3/action/<name>`` (and ``/api/action/<name>``), GET or POST.

Every call counts against ``GRIDGOV_RATE_CKAN`` (per key or signed-in person) or
``GRIDGOV_RATE_CKAN_ANON`` (per client address), across processes; over it the answer is 429
``{"success": false, "error": {"__type": "Too Many Requests", ...}}`` with ``Retry-After``.
"""

import inspect
import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.protocols.common import caller, protocol_errors
from gridgov.sharing.exchange import encode

from . import catalog, datastore
from .errors import INVALID_STATUS, CkanError, NotFound, error_type
from .params import required
from .shapes import help_url


def help_show(request, params, principal, base):
    """Return the help string of an API action: its documentation, as every answer's
    ``help`` link points here.

    :param name: the action's name (e.g. ``package_search``)
    :rtype: string
    """
    name = required(params, "name")
    func = ACTIONS.get(name)
    if func is None:
        raise NotFound(_("找不到操作:%(name)s。") % {"name": name})
    return inspect.getdoc(func)


ACTIONS = {
    f.__name__: f for f in (
        catalog.status_show, catalog.package_list, catalog.package_show,
        catalog.package_search, catalog.organization_list, catalog.organization_show,
        catalog.group_list, catalog.group_show, catalog.tag_list, catalog.resource_show,
        datastore.datastore_search, help_show,
    )
}


def _api_key(request) -> str:
    """The key as CKAN clients send it: raw in ``Authorization`` (``ckanapi``), ``Api-Key`` or
    ``Bearer`` there, or ``X-CKAN-API-Key``."""
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if header.lower().startswith("api-key "):
        return header[8:].strip()
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return header or request.META.get("HTTP_X_CKAN_API_KEY", "").strip()


def _params(request):
    if request.method == "POST":
        content_type = request.content_type or ""
        # A form's body is never read raw: once multipart is parsed it cannot be.
        if content_type == "application/json" or ("form" not in content_type
                                                  and request.body[:1] in (b"{", b"[")):
            if not request.body.strip():
                return {}
            try:
                body = json.loads(request.body)
            except ValueError:
                raise CkanError(_("请求体不是有效的 JSON。"))
            if not isinstance(body, dict):
                raise CkanError(_("请求体应为 JSON 对象。"))
            return body
        return _query_dict(request.POST)
    return _query_dict(request.GET)


def _query_dict(data) -> dict:
    """A QueryDict as a dict: a repeated key (facet.field=a&facet.field=b) keeps its list."""
    out = {}
    for key in data:
        values = data.getlist(key)
        out[key] = values if len(values) > 1 else data.get(key)
    return out


def _envelope(request, name, payload: dict, status=200):
    body = {"help": help_url(request, name)}
    body.update(payload)
    return HttpResponse(encode(body), status=status,
                        content_type="application/json;charset=utf-8")


def _error(request, error, name):
    """CKAN's error answer: ``{"success": false, "error": {"__type", "message", <field>...}}``."""
    kind = error_type(error)
    body = {"__type": kind, "message": f"{kind}: {error.message}"}
    body.update(error.fields)
    return _envelope(request, name, {"success": False, "error": body}, status=error.status)


@require_http_methods(["GET"])
def api_version(request, version=catalog.API_VERSION):
    """CKAN's API root, ``/api/3``: which version of the Action API answers here."""
    return HttpResponse(encode({"version": version}),
                        content_type="application/json;charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@protocol_errors(_error, rate="ckan", raw_key=_api_key, invalid_status=INVALID_STATUS)
def action(request, name):
    """One CKAN action, GET or POST."""
    func = ACTIONS.get(name)
    if func is None:
        raise CkanError(_("未知的操作名:%(name)s。") % {"name": name})
    base = request.build_absolute_uri("/").rstrip("/")
    params = _params(request)
    principal = caller(request, _api_key(request),
                       invalid_key_message=_("API 密钥无效或已吊销。"))
    result = func(request, params, principal, base)
    if isinstance(result, datastore.Stream):
        return datastore.stream_response(request, name, result)
    if isinstance(result, datastore.Logged):
        response = _envelope(request, name, {"success": True, "result": result.result})
        evidence = result.evidence
        evidence.chunk(response.content.decode("utf-8"))
        evidence.finish()
        return response
    return _envelope(request, name, {"success": True, "result": result})
