"""CKAN's catalog actions: status, packages (our resources), organizations (provider
departments), groups (base libraries), tags and resources (a package's datastore table).

Each action is ``f(request, params, principal, base) -> result``; what the caller may see is
``readable_resources(principal)``. Its docstring is what ``help_show`` answers, as in CKAN.
"""

import re

from django.db import connection
from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department
from gridgov.audit.models import AuditRecord
from gridgov.protocols.common import readable_resources
from gridgov.sharing.choices import BaseLibrary
from gridgov.sharing.models import Resource

from . import shapes
from .errors import Invalid, NotFound
from .params import (
    DEFAULT_SORT,
    PUBLIC_Q,
    apply_fq,
    flag,
    int_param,
    json_list,
    order,
    required,
    text_q,
)

CKAN_VERSION = "2.10.4"
API_VERSION = 3
# CKAN's ckan.search.rows_max: a larger ``rows`` is cut to it, not refused.
MAX_ROWS = 1000
UUID_RE = re.compile(r"[0-9a-fA-F-]{32,36}")


def status_show(request, params, principal, base):
    """Return the site's CKAN version, title, description, URL, locale and extensions.

    :rtype: dictionary
    """
    return {"ckan_version": CKAN_VERSION, "site_title": _("海曙区数据资源中心"),
            "site_description": _("网格化基层社会治理平台 · 政务数据共享"),
            "site_url": base, "locale_default": "zh_Hans_CN", "extensions": ["datastore"],
            "api_version": API_VERSION}


def _listed(principal, params):
    """The caller's readable resources; the private ones (``params.is_private``) only when it
    asks with ``include_private``, as CKAN lists them."""
    qs = readable_resources(principal)
    return qs if flag(params, "include_private") else qs.filter(PUBLIC_Q)


def joined(department_ids) -> dict:
    """When each department joined the catalog (CKAN's ``organization.created``): its first
    resource, else the record of its creation; departments are not timestamped themselves."""
    out = dict(Resource.objects.filter(provider_id__in=department_ids).values("provider_id")
               .annotate(first=Min("created_at")).values_list("provider_id", "first"))
    missing = [str(pk) for pk in department_ids if pk not in out]
    if missing:
        out.update((int(pk), at) for pk, at in AuditRecord.objects.filter(
            action="accounts.department_created", object_id__in=missing)
            .values("object_id").annotate(first=Min("at")).values_list("object_id", "first"))
    return out


def _packages(resources, base) -> list[dict]:
    created = joined({r.provider_id for r in resources})
    return [shapes.package(r, base, org_created=created.get(r.provider_id)) for r in resources]


def package_list(request, params, principal, base):
    """Return the names of the site's datasets, by name.

    :param limit: the most names to return (optional)
    :param offset: where to start (optional)
    :param include_private: also list the private datasets the caller may see (optional,
        default False; CKAN itself never lists them here)
    :rtype: list of strings
    """
    limit = int_param(params, "limit", None, minimum=1)
    offset = int_param(params, "offset", 0)
    codes = _listed(principal, params).order_by("code").values_list("code", flat=True)
    codes = codes[offset: offset + limit] if limit else codes[offset:]
    return list(codes)


def package_show(request, params, principal, base):
    """Return the metadata of a dataset and its resource.

    :param id: the id or name of the dataset
    :rtype: dictionary
    """
    ident = required(params, "id")
    resource = find_package(principal, ident)
    return _packages([resource], base)[0]


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


FACET_FIELDS = ("organization", "tags", "groups", "res_format")


def _json_list_counts(qs, field) -> dict[str, int]:
    """How often each element of the JSON list ``field`` (tags, groups) occurs among the rows of
    ``qs``, counted in the database: the catalogue may hold thousands of resources and a facet
    must not load them. PostgreSQL unnests the jsonb array, SQLite walks it with
    ``json_each``; a value listed twice in one resource counts twice, as CKAN's Solr does."""
    ids_sql, ids_params = qs.order_by().values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(Resource._meta.db_table)
    column = quote(Resource._meta.get_field(field).column)
    pk = quote(Resource._meta.pk.column)
    if connection.vendor == "postgresql":
        elements = f"CROSS JOIN LATERAL jsonb_array_elements_text(r.{column}) AS e(value)"
    else:
        elements = f"CROSS JOIN json_each(r.{column}) AS e"
    sql = (f"SELECT e.value, COUNT(*) FROM {table} r {elements} "
           f"WHERE r.{pk} IN ({ids_sql}) GROUP BY e.value")
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        return {str(value): n for value, n in cursor.fetchall()}


def _organization_counts(qs) -> tuple[dict[str, int], dict[str, str]]:
    """The matching resources per provider, grouped in the database: (counts, titles) by the
    organization's CKAN name."""
    per_provider = dict(qs.order_by().values("provider_id").annotate(n=Count("pk"))
                        .values_list("provider_id", "n"))
    counts: dict[str, int] = {}
    titles: dict[str, str] = {}
    for department in Department.objects.filter(pk__in=per_provider).order_by("pk"):
        name = shapes.org_name(department)
        counts[name] = counts.get(name, 0) + per_provider[department.pk]
        titles[name] = department.name
    return counts, titles


def _facet_counts(qs, field, total) -> tuple[dict[str, int], dict[str, str]]:
    """(counts, display names) of one facet field over the matching resources ``qs``."""
    if field == "organization":
        return _organization_counts(qs)
    if field == "tags":
        counts = _json_list_counts(qs, "tags")
        return counts, {t: t for t in counts}
    if field == "groups":
        labels = dict(BaseLibrary.choices)
        counts = _json_list_counts(qs, "groups")
        return counts, {g: str(labels.get(g, g)) for g in counts}
    # Every package has one resource, its JSON datastore table.
    return ({"JSON": total}, {"JSON": "JSON"}) if total else ({}, {})


def _facets(qs, facet_fields, total) -> tuple[dict, dict]:
    """CKAN's ``facets`` and ``search_facets`` for ``facet.field``, counted in SQL. Both list
    the values by count, most first, then by name (Solr's ``facet.sort=count``)."""
    unknown = [f for f in facet_fields if f not in FACET_FIELDS]
    if unknown:
        raise Invalid(_("不支持的分面字段:%(f)s。") % {"f": unknown[0]},
                      {"facet.field": [_("不支持的字段")]})
    facets, search_facets = {}, {}
    for field in facet_fields:
        counts, titles = _facet_counts(qs, field, total) if total else ({}, {})
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        facets[field] = dict(ranked)
        search_facets[field] = {"title": field, "items": [
            {"name": n, "display_name": titles[n], "count": c} for n, c in ranked]}
    return facets, search_facets


def package_search(request, params, principal, base):
    """Search the datasets.

    :param q: words found in the title, notes, name, tags or organization; ``name:`` and
        ``title:`` prefixes look in one of them (optional)
    :param fq: filters: ``organization:``, ``tags:``, ``groups:``, ``name:``, ``id:``,
        ``res_format:``, ``sharing_type:``, ``capacity:public|private``, ``dataset_type:`` and
        date ranges ``metadata_modified:[2026-01-01T00:00:00Z TO *]`` (also
        ``metadata_created``; ``*``, ``NOW``, ``NOW-1DAY``), each negated by a leading ``-``;
        clauses are ANDed, those joined by ``OR`` are alternatives, and a value may be a group
        (``organization:(d016 OR d034)``)
    :param sort: ``name``, ``title``, ``id``, ``metadata_modified``, ``metadata_created`` or
        ``score``, each ``asc`` or ``desc`` (default "score desc, metadata_modified desc")
    :param rows: how many results (default 10, at most 1000: more is cut to 1000)
    :param start: the offset of the first result (default 0)
    :param facet.field: fields to count: organization, tags, groups, res_format
    :param include_private: also find the private datasets the caller may see (default False)
    :rtype: dictionary with count, results, facets, search_facets, sort
    """
    rows = min(int_param(params, "rows", 10), MAX_ROWS)
    start = int_param(params, "start", 0)
    qs = _listed(principal, params)
    q = str(params.get("q") or "").strip()
    if q and q != "*:*":
        qs = qs.filter(text_q(q))
    fq = str(params.get("fq") or "").strip()
    if fq:
        qs = apply_fq(qs, fq)
    sort = str(params.get("sort") or "")
    qs = order(qs, sort)
    facet_fields = json_list(params.get("facet.field"), "facet.field")
    # Count, facets and the page are each one query: only the page's rows are loaded and
    # built into packages, so the answer costs the same at any depth of the catalogue.
    total = qs.count()
    facets, search_facets = _facets(qs, facet_fields, total)
    page = list(qs[start: start + rows]) if rows else []
    return {
        "count": total, "sort": sort or DEFAULT_SORT,
        "results": _packages(page, base),
        "facets": facets, "search_facets": search_facets,
    }


def _list_sort(params, default="name asc"):
    """CKAN's sort of group and organization lists: ``name``, ``title`` or
    ``package_count``, ``asc`` or ``desc`` (one field)."""
    sort = str(params.get("sort") or default).strip()
    bits = sort.split()
    field = bits[0] if bits else ""
    direction = bits[1].lower() if len(bits) > 1 else "asc"
    if field == "packages":
        field = "package_count"
    if len(bits) > 2 or field not in ("name", "title", "package_count") \
            or direction not in ("asc", "desc"):
        raise Invalid(_("不支持的排序:%(s)s。") % {"s": sort}, {"sort": [_("不支持的排序")]})
    return field, direction == "desc"


def _sorted_page(items, params):
    """``items`` (name, title, package_count, payload) sorted by ``sort`` and cut by
    ``offset`` and ``limit``; ties go by name."""
    field, desc = _list_sort(params)
    index = {"name": 0, "title": 1, "package_count": 2}[field]
    items = sorted(items, key=lambda it: it[0])
    items.sort(key=lambda it: it[index], reverse=desc)
    offset = int_param(params, "offset", 0)
    limit = int_param(params, "limit", None, minimum=1)
    items = items[offset: offset + limit] if limit else items[offset:]
    return [it[3] for it in items]


def organization_list(request, params, principal, base):
    """Return the organizations (provider departments) that have datasets the caller may see.

    :param sort: ``name``, ``title`` or ``package_count``, ``asc`` or ``desc``
        (default "name asc")
    :param limit: the most to return (optional); :param offset: where to start (optional)
    :param all_fields: return dictionaries instead of names (default False)
    :rtype: list of strings or dictionaries
    """
    counts = dict(readable_resources(principal).values_list("provider_id")
                  .annotate(n=Count("pk")).values_list("provider_id", "n"))
    departments = list(Department.objects.filter(pk__in=counts))
    full = flag(params, "all_fields")
    created = joined([d.pk for d in departments]) if full else {}
    return _sorted_page([
        (shapes.org_name(d), d.name, counts[d.pk],
         shapes.organization(d, package_count=counts[d.pk], created=created.get(d.pk))
         if full else shapes.org_name(d))
        for d in departments], params)


def organization_show(request, params, principal, base):
    """Return an organization (a provider department).

    :param id: its id or name
    :param include_datasets: include its datasets, private ones flagged (default False)
    :rtype: dictionary
    """
    ident = required(params, "id")
    department = Department.objects.filter(code__iexact=ident).first()
    if department is None:
        raise NotFound(_("找不到组织:%(id)s。") % {"id": ident})
    packages = list(readable_resources(principal).filter(provider=department).order_by("code"))
    out = shapes.organization(department, package_count=len(packages),
                              created=joined([department.pk]).get(department.pk))
    if flag(params, "include_datasets"):
        out["packages"] = _packages(packages, base)
    return out


def _group_counts(principal) -> dict[str, int]:
    counts: dict[str, int] = {}
    for groups in readable_resources(principal).values_list("groups", flat=True):
        for g in groups:
            counts[g] = counts.get(g, 0) + 1
    return counts


def group_list(request, params, principal, base):
    """Return the groups (the five base libraries).

    :param sort: ``name``, ``title`` or ``package_count``, ``asc`` or ``desc``
        (default "name asc")
    :param limit: the most to return (optional); :param offset: where to start (optional)
    :param all_fields: return dictionaries instead of names (default False)
    :rtype: list of strings or dictionaries
    """
    counts = _group_counts(principal)
    full = flag(params, "all_fields")
    return _sorted_page([
        (v, str(label), counts.get(v, 0),
         shapes.group(v, label, counts.get(v, 0)) if full else v)
        for v, label in BaseLibrary.choices], params)


def group_show(request, params, principal, base):
    """Return a group (a base library).

    :param id: its id or name
    :param include_datasets: include its datasets the caller may see, private ones flagged
        (default False)
    :param include_dataset_count: include ``package_count`` (default True)
    :rtype: dictionary
    """
    ident = required(params, "id")
    labels = dict(BaseLibrary.choices)
    if ident not in labels:
        raise NotFound(_("找不到分组:%(id)s。") % {"id": ident})
    out = shapes.group(ident, labels[ident])
    if str(params.get("include_dataset_count", "true")).lower() not in ("false", "0"):
        out["package_count"] = _group_counts(principal).get(ident, 0)
    if flag(params, "include_datasets"):
        members = [r for r in readable_resources(principal).order_by("code")
                   if ident in r.groups]
        out["packages"] = _packages(members, base)
    return out


def tag_list(request, params, principal, base):
    """Return the tags of the datasets the caller may see, by name.

    :param query: only tags containing this text (optional)
    :param vocabulary_id: a tag vocabulary; the catalog has none (optional)
    :param all_fields: return dictionaries instead of names (default False)
    :rtype: list of strings or dictionaries
    """
    if params.get("vocabulary_id"):
        raise NotFound(_("找不到标签词表:%(id)s。") % {"id": params.get("vocabulary_id")})
    query = str(params.get("query") or params.get("q") or "")
    names = sorted({t for tags in readable_resources(principal).values_list("tags", flat=True)
                    for t in tags if query in t})
    if flag(params, "all_fields"):
        return [{"id": t, "name": t, "display_name": t, "vocabulary_id": None} for t in names]
    return names


def resource_show(request, params, principal, base):
    """Return a dataset's resource (its datastore table).

    :param id: the resource's id (or the dataset's name)
    :rtype: dictionary
    """
    ident = required(params, "id")
    resource = find_table(principal, ident)
    return shapes.ckan_resource(resource, base)


def find_table(principal, ident):
    """A package's datastore table by our resource code or its table uid."""
    return _find(principal, ident, "table_uid", _("找不到资源:%(id)s。"))
