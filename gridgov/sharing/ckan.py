"""A CKAN-compatible read API over the catalog (docs.ckan.org/en/latest/api).

Mounted at ``/api/3/action/<name>`` and ``/api/action/<name>``, GET (query string) and POST
(JSON body or form). Packages are our resources, organisations our provider departments,
groups the five base libraries; each package has one CKAN resource, its datastore table.
Answers use CKAN's envelope ``{"help", "success", "result"}`` or ``{"help", "success": false,
"error": {"__type", "message"}}`` with CKAN's status codes (404 Not Found Error, 409
Validation Error, 403 Authorization Error, 400 unknown action or bad body).

Who sees what: anonymous callers see the resources open to the public (开放属性 = 向社会开放);
a department's API key (raw in ``Authorization`` as ``ckanapi`` sends it, ``Api-Key <key>``,
or ``X-CKAN-API-Key``) or a signed-in user sees the whole published catalog.
``datastore_search`` returns rows only to a consumer department holding an active grant, with
the granted fields and masking, and every call is kept as exchange evidence.
"""

import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gridgov.accounts.api.authentication import ApiClient, hash_key
from gridgov.accounts.models import ApiKey, Department
from gridgov.core.context import current_request_id

from .choices import CKAN_TYPES, BaseLibrary, ExchangeChannel, OpenAttribute
from .exchange import Evidence, active_grant, encode, stream_rows
from .masking import mask_value
from .models import Resource
from .sources import RowSource, SourceUnavailable

CKAN_VERSION = "2.10.4"
API_VERSION = 3
MAX_ROWS = 1000
DATASTORE_MAX = 32000


class CkanError(Exception):
    """An error answered in CKAN's shape."""

    status = 400
    type = "Bad Request"

    def __init__(self, message, fields=None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(CkanError):
    status, type = 404, "Not Found Error"


class Invalid(CkanError):
    status, type = 409, "Validation Error"


class NotAuthorized(CkanError):
    status, type = 403, "Authorization Error"


# --- principal ------------------------------------------------------------------------------


def _api_key(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if header.lower().startswith("api-key "):
        return header[8:].strip()
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return header or request.META.get("HTTP_X_CKAN_API_KEY", "").strip()


def _principal(request):
    """The ApiClient of a valid key, the signed-in user, or None (anonymous)."""
    raw = _api_key(request)
    if raw:
        key = (ApiKey.objects.select_related("department__area")
               .filter(key_hash=hash_key(raw), revoked_at__isnull=True).first())
        if key is None or not key.department.is_active:
            raise NotAuthorized(_("API 密钥无效或已吊销。"))
        return ApiClient(key)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def _catalog(principal):
    qs = Resource.objects.select_related("provider").prefetch_related("fields")
    if principal is None:
        return qs.filter(is_published=True, open_attribute=OpenAttribute.OPEN)
    return qs.restrict(principal).filter(is_published=True)


# --- shapes ---------------------------------------------------------------------------------


def _org_name(department) -> str:
    return department.code.lower()


def _organization(department, *, package_count=None) -> dict:
    out = {
        "id": str(department.code), "name": _org_name(department), "title": department.name,
        "display_name": department.name, "type": "organization", "state": "active",
        "is_organization": True, "approval_status": "approved", "description": "",
        "image_url": "", "created": None,
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def _group(value, label, count=None) -> dict:
    out = {"id": value, "name": value, "title": str(label), "display_name": str(label),
           "type": "group", "state": "active", "is_organization": False, "description": ""}
    if count is not None:
        out["package_count"] = count
    return out


def _ckan_resource(resource, base) -> dict:
    return {
        "id": str(resource.table_uid), "package_id": str(resource.uid),
        "name": resource.name, "description": resource.abstract,
        "format": "JSON", "mimetype": "application/json",
        "url": f"{base}/api/exchange/resources/{resource.code}/rows/",
        "url_type": "datastore", "datastore_active": True, "state": "active",
        "created": resource.created_at.isoformat(),
        "last_modified": resource.updated_at.isoformat(), "position": 0,
    }


def _package(resource, base) -> dict:
    labels = dict(BaseLibrary.choices)
    return {
        "id": str(resource.uid), "name": resource.code, "title": resource.name,
        "type": "dataset", "state": "active", "private": False,
        "notes": resource.abstract,
        "metadata_created": resource.created_at.isoformat(),
        "metadata_modified": resource.updated_at.isoformat(),
        "owner_org": resource.provider.code,
        "organization": _organization(resource.provider),
        "tags": [{"name": t, "display_name": t, "state": "active"} for t in resource.tags],
        "num_tags": len(resource.tags),
        "groups": [_group(g, labels.get(g, g)) for g in resource.groups],
        "resources": [_ckan_resource(resource, base)],
        "num_resources": 1,
        "extras": [
            {"key": "classification", "value": resource.classification},
            {"key": "format", "value": resource.get_format_display()},
            {"key": "update_cycle", "value": resource.get_update_cycle_display()},
            {"key": "sharing_type", "value": resource.sharing_type},
            {"key": "sharing_condition", "value": resource.sharing_condition},
            {"key": "legal_basis", "value": resource.legal_basis},
            {"key": "sharing_method", "value": resource.get_sharing_method_display()},
            {"key": "open_attribute", "value": resource.open_attribute},
            {"key": "published_on",
             "value": resource.published_on.isoformat() if resource.published_on else ""},
            {"key": "related_codes", "value": ",".join(resource.related_codes)},
        ],
        "data_items": [
            {"name": f.name, "label": f.label, "type": f.type, "sensitive": f.sensitive}
            for f in resource.fields.all()
        ],
    }


# --- parameters -----------------------------------------------------------------------------


def _int(params, name, default, *, minimum=0, maximum=None):
    value = params.get(name, default)
    if value in (None, ""):
        return default
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("%(name)s 应为整数。") % {"name": name}, {name: [_("应为整数")]})
    if value < minimum or (maximum is not None and value > maximum):
        raise Invalid(_("%(name)s 超出范围。") % {"name": name}, {name: [_("超出范围")]})
    return value


def _required(params, name):
    value = params.get(name)
    if value in (None, ""):
        raise Invalid(_("缺少参数:%(name)s。") % {"name": name}, {name: [_("Missing value")]})
    return str(value)


def _json_list(value, name):
    if value in (None, ""):
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return [str(value)]
    if isinstance(parsed, str):
        return [parsed]
    if not isinstance(parsed, list):
        raise Invalid(_("%(name)s 应为列表。") % {"name": name}, {name: [_("应为列表")]})
    return [str(v) for v in parsed]


FQ_TERM = re.compile(r'(\+?-?)(\w+):("[^"]*"|\S+)')
FQ_FIELDS = {"organization", "tags", "groups", "name", "res_format", "sharing_type"}


def _apply_fq(qs, fq):
    rest = FQ_TERM.sub("", fq).replace("AND", "").strip()
    if rest:
        raise Invalid(_("无法解析的 fq:%(fq)s。") % {"fq": fq}, {"fq": [_("不支持的查询")]})
    for sign, field, value in FQ_TERM.findall(fq):
        value = value.strip('"')
        if field not in FQ_FIELDS:
            raise Invalid(_("fq 不支持字段 %(f)s。") % {"f": field}, {"fq": [_("不支持的字段")]})
        if field == "organization":
            q = Q(provider__code__iexact=value)
        elif field == "tags":
            q = Q(pk__in=[r.pk for r in qs if value in r.tags])
        elif field == "groups":
            q = Q(pk__in=[r.pk for r in qs if value in r.groups])
        elif field == "name":
            q = Q(code=value)
        elif field == "sharing_type":
            q = Q(sharing_type=value)
        else:
            q = Q() if value.upper() == "JSON" else Q(pk__in=[])
        qs = qs.exclude(q) if "-" in sign else qs.filter(q)
    return qs


SORTS = {
    "name": "code", "title_string": "name", "title": "name",
    "metadata_modified": "updated_at", "metadata_created": "created_at",
    "score": None,
}


def _order(qs, sort):
    order = []
    for part in [p.strip() for p in (sort or "score desc, metadata_modified desc").split(",")]:
        if not part:
            continue
        bits = part.split()
        field, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if field not in SORTS or direction not in ("asc", "desc"):
            raise Invalid(_("不支持的排序:%(s)s。") % {"s": part}, {"sort": [_("不支持的排序")]})
        if SORTS[field]:
            order.append(("-" if direction == "desc" else "") + SORTS[field])
    return qs.order_by(*(order or ["code"]), "pk")


def _text_q(q):
    out = Q()
    for term in q.split():
        if ":" in term:
            field, _sep, value = term.partition(":")
            if field == "name":
                out &= Q(code__icontains=value)
                continue
            if field == "title":
                out &= Q(name__icontains=value)
                continue
            term = value
        out &= (Q(name__icontains=term) | Q(abstract__icontains=term) | Q(code__icontains=term)
                | Q(tags__icontains=term) | Q(provider__name__icontains=term))
    return out


# --- actions --------------------------------------------------------------------------------


def status_show(request, params, principal, base):
    return {"ckan_version": CKAN_VERSION, "site_title": _("海曙区数据资源中心"),
            "site_description": _("网格化基层社会治理平台 · 政务数据共享"),
            "site_url": base, "locale_default": "zh_Hans_CN", "extensions": ["datastore"],
            "api_version": API_VERSION}


def package_list(request, params, principal, base):
    limit = _int(params, "limit", None, minimum=1)
    offset = _int(params, "offset", 0)
    codes = _catalog(principal).order_by("code").values_list("code", flat=True)
    codes = codes[offset: offset + limit] if limit else codes[offset:]
    return list(codes)


def package_show(request, params, principal, base):
    ident = _required(params, "id")
    resource = _find_package(principal, ident)
    return _package(resource, base)


def _find_package(principal, ident):
    catalog = _catalog(principal)
    q = Q(code=ident)
    if re.fullmatch(r"[0-9a-fA-F-]{32,36}", ident):
        q |= Q(uid=ident)
    resource = catalog.filter(q).first()
    if resource is None:
        raise NotFound(_("找不到数据集:%(id)s。") % {"id": ident})
    return resource


def package_search(request, params, principal, base):
    rows = _int(params, "rows", 10, maximum=MAX_ROWS)
    start = _int(params, "start", 0)
    qs = _catalog(principal)
    q = str(params.get("q") or "").strip()
    if q and q != "*:*":
        qs = qs.filter(_text_q(q))
    fq = str(params.get("fq") or "").strip()
    if fq:
        qs = _apply_fq(qs, fq)
    sort = str(params.get("sort") or "")
    qs = _order(qs, sort)
    matched = list(qs)
    facet_fields = _json_list(params.get("facet.field"), "facet.field")
    facets, search_facets = {}, {}
    labels = dict(BaseLibrary.choices)
    for field in facet_fields:
        counts: dict[str, int] = {}
        titles: dict[str, str] = {}
        for r in matched:
            if field == "organization":
                values = [(_org_name(r.provider), r.provider.name)]
            elif field == "tags":
                values = [(t, t) for t in r.tags]
            elif field == "groups":
                values = [(g, str(labels.get(g, g))) for g in r.groups]
            elif field == "res_format":
                values = [("JSON", "JSON")]
            else:
                raise Invalid(_("不支持的分面字段:%(f)s。") % {"f": field},
                              {"facet.field": [_("不支持的字段")]})
            for name, title in values:
                counts[name] = counts.get(name, 0) + 1
                titles[name] = title
        facets[field] = counts
        search_facets[field] = {"title": field, "items": [
            {"name": n, "display_name": titles[n], "count": c}
            for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]}
    return {
        "count": len(matched), "sort": sort or "score desc, metadata_modified desc",
        "results": [_package(r, base) for r in matched[start: start + rows]],
        "facets": facets, "search_facets": search_facets,
    }


def organization_list(request, params, principal, base):
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1")
    counts = dict(_catalog(principal).values_list("provider_id").annotate(n=Count("pk"))
                  .values_list("provider_id", "n"))
    departments = Department.objects.filter(pk__in=counts).order_by("code")
    if all_fields:
        return [_organization(d, package_count=counts[d.pk]) for d in departments]
    return [_org_name(d) for d in departments]


def organization_show(request, params, principal, base):
    ident = _required(params, "id")
    department = Department.objects.filter(code__iexact=ident).first()
    if department is None:
        raise NotFound(_("找不到组织:%(id)s。") % {"id": ident})
    packages = list(_catalog(principal).filter(provider=department).order_by("code"))
    out = _organization(department, package_count=len(packages))
    if str(params.get("include_datasets", "")).lower() in ("true", "1"):
        out["packages"] = [_package(r, base) for r in packages]
    return out


def group_list(request, params, principal, base):
    all_fields = str(params.get("all_fields", "")).lower() in ("true", "1")
    counts: dict[str, int] = {}
    for groups in _catalog(principal).values_list("groups", flat=True):
        for g in groups:
            counts[g] = counts.get(g, 0) + 1
    if all_fields:
        return [_group(v, label, counts.get(v, 0)) for v, label in BaseLibrary.choices]
    return [v for v, _label in BaseLibrary.choices]


def resource_show(request, params, principal, base):
    ident = _required(params, "id")
    resource = _find_table(principal, ident)
    return _ckan_resource(resource, base)


def _find_table(principal, ident):
    q = Q(code=ident)
    if re.fullmatch(r"[0-9a-fA-F-]{32,36}", ident):
        q |= Q(table_uid=ident)
    resource = _catalog(principal).filter(q).first()
    if resource is None:
        raise NotFound(_("找不到资源:%(id)s。") % {"id": ident})
    return resource


def datastore_search(request, params, principal, base):
    ident = _required(params, "resource_id")
    if not isinstance(principal, ApiClient):
        raise NotAuthorized(_("datastore_search 需要已获授权部门的 API 密钥。"))
    resource = _find_table(principal, ident)
    try:
        grant = active_grant(resource, principal.department_id)
    except PermissionDenied as exc:
        raise NotAuthorized(str(exc))
    limit = _int(params, "limit", 100, maximum=DATASTORE_MAX)
    offset = _int(params, "offset", 0)
    filters = params.get("filters") or {}
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise Invalid(_("filters 应为 JSON 对象。"), {"filters": [_("应为 JSON 对象")]})
    if not isinstance(filters, dict):
        raise Invalid(_("filters 应为 JSON 对象。"), {"filters": [_("应为 JSON 对象")]})
    bad = [k for k in filters if k not in grant.fields]
    if bad:
        raise Invalid(_("不能按未授权的字段筛选:%(f)s。") % {"f": ", ".join(bad)},
                      {"filters": [_("未授权的字段")]})
    q = str(params.get("q") or "").strip()
    try:
        source = RowSource(resource)
    except SourceUnavailable:
        raise NotFound(_("该资源的数据源在本系统中不可用。"))
    types = {f.name: CKAN_TYPES.get(f.type, "text") for f in resource.fields.all()}
    fields = [{"id": "_id", "type": "int"}] + [
        {"id": f, "type": types.get(f, "text")} for f in grant.fields]
    evidence = Evidence(
        actor=principal, resource=resource, grant=grant, channel=ExchangeChannel.CKAN,
        request_id=current_request_id(), case_id=request.headers.get("X-Case-Id", ""),
        params={"limit": limit, "offset": offset, "q": q, "filters": filters},
    )
    if not filters and not q:
        total = source.count()
        qs = source.walk()[offset:]
        return _DatastoreStream(source, qs, grant, limit, evidence, {
            "resource_id": str(resource.table_uid), "fields": fields, "total": total,
            "limit": limit, "offset": offset,
        }, base, params)
    # Filtered or searched: the rows are matched on their plain values in one pass (the
    # consumer may only filter on fields it was granted), then projected as granted.
    masked = {f for f, m in grant.masking.items() if m == "masked"}
    matched, total = [], 0
    for pk, _stamp, data in source.iterate(source.walk()):
        if any(str(data.get(k)) != str(v) for k, v in filters.items()):
            continue
        if q and not any(q in str(data.get(f, "")) for f in grant.fields):
            continue
        total += 1
        if offset < total <= offset + limit:
            out = {"_id": pk}
            for f in grant.fields:
                out[f] = mask_value(data.get(f)) if f in masked else data.get(f)
            matched.append(out)
    evidence.rows = len(matched)
    result = {"resource_id": str(resource.table_uid), "fields": fields, "records": matched,
              "total": total, "limit": limit, "offset": offset,
              "_links": _links(request, params, limit, offset)}
    return _Logged(result, evidence)


def _links(request, params, limit, offset):
    path = request.path
    return {"start": f"{path}?resource_id={params.get('resource_id')}&limit={limit}",
            "next": f"{path}?resource_id={params.get('resource_id')}&limit={limit}"
                    f"&offset={offset + limit}"}


class _DatastoreStream:
    """A datastore_search answer streamed from the database (no filters, no q)."""

    def __init__(self, source, qs, grant, limit, evidence, head, base, params):
        self.args = (source, qs, grant, limit, evidence, head, params)


class _Logged:
    """A computed datastore_search answer whose evidence is kept once it is rendered."""

    def __init__(self, result, evidence):
        self.result, self.evidence = result, evidence


ACTIONS = {
    f.__name__: f for f in (
        status_show, package_list, package_show, package_search, organization_list,
        organization_show, group_list, resource_show, datastore_search,
    )
}


# --- the view -------------------------------------------------------------------------------


def _params(request):
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type == "application/json" or (request.body[:1] in (b"{", b"[")
                                                  and "form" not in content_type):
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
    body = {"help": request.build_absolute_uri(f"/api/3/action/help_show?name={name}")}
    body.update(payload)
    return HttpResponse(encode(body), status=status,
                        content_type="application/json;charset=utf-8")


def _error(request, name, exc: CkanError):
    error = {"__type": exc.type, "message": f"{exc.type}: {exc.message}"}
    error.update(exc.fields)
    return _envelope(request, name, {"success": False, "error": error}, status=exc.status)


def _stream_datastore(request, name, stream: _DatastoreStream):
    source, qs, grant, limit, evidence, head, params = stream.args
    opening = {"help": request.build_absolute_uri(f"/api/3/action/help_show?name={name}"),
               "success": True}

    def body():
        yield evidence.chunk(encode(opening)[:-1] + ',"result":')
        yield from stream_rows(
            source, qs, grant, limit=limit, evidence=evidence, head=head,
            tail={"_links": _links(request, params, limit, head["offset"])},
            rows_key="records", with_id=True, paging=False, suffix="}",
        )

    return StreamingHttpResponse(body(), content_type="application/json;charset=utf-8")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def action(request, name):
    """One CKAN action, GET or POST."""
    base = request.build_absolute_uri("/").rstrip("/")
    func = ACTIONS.get(name)
    if func is None:
        exc = CkanError(_("未知的操作名:%(name)s。") % {"name": name})
        return _error(request, name, exc)
    try:
        params = _params(request)
        principal = _principal(request)
        result = func(request, params, principal, base)
    except CkanError as exc:
        return _error(request, name, exc)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        return _error(request, name, Invalid("; ".join(exc.messages), fields))
    except PermissionDenied as exc:
        return _error(request, name, NotAuthorized(str(exc) or _("无权访问。")))
    if isinstance(result, _DatastoreStream):
        return _stream_datastore(request, name, result)
    if isinstance(result, _Logged):
        response = _envelope(request, name, {"success": True, "result": result.result})
        evidence = result.evidence
        evidence.chunk(response.content.decode("utf-8"))
        evidence.finish()
        return response
    return _envelope(request, name, {"success": True, "result": result})


__all__ = ["action", "ACTIONS"]
