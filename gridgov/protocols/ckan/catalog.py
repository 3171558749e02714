"""CKAN's catalog actions: status, packages (our resources), organizations (provider
departments), groups (base libraries) and resources (a package's datastore table).

Each action is ``f(request, params, principal, base) -> result``; what the caller may see is
``readable_resources(principal)``.
"""

import re

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department
from gridgov.protocols.common import readable_resources
from gridgov.sharing.choices import BaseLibrary

from . import shapes
from .errors import Invalid, NotFound
from .params import DEFAULT_SORT, apply_fq, flag, int_param, json_list, order, required, text_q

CKAN_VERSION = "2.10.4"
API_VERSION = 3
MAX_ROWS = 1000
UUID_RE = re.compile(r"[0-9a-fA-F-]{32,36}")


def status_show(request, params, principal, base):
    return {"ckan_version": CKAN_VERSION, "site_title": _("海曙区数据资源中心"),
            "site_description": _("网格化基层社会治理平台 · 政务数据共享"),
            "site_url": base, "locale_default": "zh_Hans_CN", "extensions": ["datastore"],
            "api_version": API_VERSION}


def package_list(request, params, principal, base):
    limit = int_param(params, "limit", None, minimum=1)
    offset = int_param(params, "offset", 0)
    codes = readable_resources(principal).order_by("code").values_list("code", flat=True)
    codes = codes[offset: offset + limit] if limit else codes[offset:]
    return list(codes)


def package_show(request, params, principal, base):
    ident = required(params, "id")
    resource = find_package(principal, ident)
    return shapes.package(resource, base)


def _find(principal, ident, uuid_field, missing):
    """A readable resource by our code, or by ``uuid_field`` when ``ident`` is a UUID."""
    q = Q(code=ident)
    if UUID_RE.fullmatch(ident):
        q |= Q(**{uuid_field: ident})
    resource = readable_resources(principal).filter(q).first()
    if resource is None:
        raise NotFound(missing % {"id": ident})
    return resource


def find_package(principal, ident):
    """A package by name (our code) or id (our uid)."""
    return _find(principal, ident, "uid", _("找不到数据集:%(id)s。"))


def _facet_values(field, resource, labels):
    if field == "organization":
        return [(shapes.org_name(resource.provider), resource.provider.name)]
    if field == "tags":
        return [(t, t) for t in resource.tags]
    if field == "groups":
        return [(g, str(labels.get(g, g))) for g in resource.groups]
    if field == "res_format":
        return [("JSON", "JSON")]
    raise Invalid(_("不支持的分面字段:%(f)s。") % {"f": field},
                  {"facet.field": [_("不支持的字段")]})


def package_search(request, params, principal, base):
    rows = int_param(params, "rows", 10, maximum=MAX_ROWS)
    start = int_param(params, "start", 0)
    qs = readable_resources(principal)
    q = str(params.get("q") or "").strip()
    if q and q != "*:*":
        qs = qs.filter(text_q(q))
    fq = str(params.get("fq") or "").strip()
    if fq:
        qs = apply_fq(qs, fq)
    sort = str(params.get("sort") or "")
    qs = order(qs, sort)
    matched = list(qs)
    facet_fields = json_list(params.get("facet.field"), "facet.field")
    facets, search_facets = {}, {}
    labels = dict(BaseLibrary.choices)
    for field in facet_fields:
        counts: dict[str, int] = {}
        titles: dict[str, str] = {}
        for r in matched:
            for name, title in _facet_values(field, r, labels):
                counts[name] = counts.get(name, 0) + 1
                titles[name] = title
        facets[field] = counts
        search_facets[field] = {"title": field, "items": [
            {"name": n, "display_name": titles[n], "count": c}
            for n, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]}
    return {
        "count": len(matched), "sort": sort or DEFAULT_SORT,
        "results": [shapes.package(r, base) for r in matched[start: start + rows]],
        "facets": facets, "search_facets": search_facets,
    }


def organization_list(request, params, principal, base):
    counts = dict(readable_resources(principal).values_list("provider_id")
                  .annotate(n=Count("pk")).values_list("provider_id", "n"))
    departments = Department.objects.filter(pk__in=counts).order_by("code")
    if flag(params, "all_fields"):
        return [shapes.organization(d, package_count=counts[d.pk]) for d in departments]
    return [shapes.org_name(d) for d in departments]


def organization_show(request, params, principal, base):
    ident = required(params, "id")
    department = Department.objects.filter(code__iexact=ident).first()
    if department is None:
        raise NotFound(_("找不到组织:%(id)s。") % {"id": ident})
    packages = list(readable_resources(principal).filter(provider=department).order_by("code"))
    out = shapes.organization(department, package_count=len(packages))
    if flag(params, "include_datasets"):
        out["packages"] = [shapes.package(r, base) for r in packages]
    return out


def group_list(request, params, principal, base):
    counts: dict[str, int] = {}
    for groups in readable_resources(principal).values_list("groups", flat=True):
        for g in groups:
            counts[g] = counts.get(g, 0) + 1
    if flag(params, "all_fields"):
        return [shapes.group(v, label, counts.get(v, 0)) for v, label in BaseLibrary.choices]
    return [v for v, _label in BaseLibrary.choices]


def resource_show(request, params, principal, base):
    ident = required(params, "id")
    resource = find_table(principal, ident)
    return shapes.ckan_resource(resource, base)


def find_table(principal, ident):
    """A package's datastore table by our resource code or its table uid."""
    return _find(principal, ident, "table_uid", _("找不到资源:%(id)s。"))
