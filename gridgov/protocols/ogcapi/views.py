"""OGC API – Features at ``/ogcapi/``: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) and Part 2
(CRS by reference).

- ``/`` landing page, ``/conformance``, ``/api`` (the OpenAPI definition),
  ``/collections``, ``/collections/{id}``, ``/collections/{id}/items`` and
  ``/collections/{id}/items/{featureId}``; JSON (GeoJSON for features) or HTML by ``f`` or
  ``Accept``;
- items are paged by keyset: ``next`` carries an opaque ``cursor`` (the last id), ``prev`` the
  first; ``offset`` works too but is read as SQL OFFSET (slow deep down); ``numberMatched``
  only on a first page and only up to ``COUNT_CAP`` rows (counting further costs as much as
  reading);
- CRS84 by default, EPSG:4490 (CGCS2000) or EPSG:4326 with ``crs`` (latitude first), the
  ``bbox`` in ``bbox-crs``; ``Content-Crs`` on every feature answer.

The caller, its scope and the limits are the adapters' shared ones
(``gridgov.protocols.common``): ``GRIDGOV_RATE_OGCAPI`` per key or signed-in person,
``GRIDGOV_RATE_OGCAPI_ANON`` per address. Which rows of which collection: ``collections``.
"""

import json

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from gridgov.protocols.common import protocol_errors
from gridgov.protocols.open311.cors import public_cors
from gridgov.web.basemap import basemap_config

from . import catalogue as registry
from . import crs as crs_mod
from . import params
from .collections import DUMPS as DUMPS_JSON
from .openapi import definition
from .views_support import (
    GEOJSON,
    HTML,
    JSON,
    OPENAPI,
    json_response,
    link,
    principal,
    raw_key,
    render_error,
    wants_html,
)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
COUNT_CAP = 10_000
TITLE = gettext_lazy("GridGov 地理信息共享服务")
DESCRIPTION = gettext_lazy(
    "区域、网格、楼栋房屋、城市部件、单位、摄像头、事件和各部门发布的图层,"
    "以 OGC API – Features 提供(GeoJSON 与网页,CRS84 与 CGCS2000)。")
DUMPS = DUMPS_JSON


def _guard(view):
    return public_cors(require_http_methods(["GET", "HEAD", "OPTIONS"])(
        protocol_errors(render_error, rate="ogcapi", raw_key=raw_key)(view)))


def _path(name, *args):
    return reverse(f"ogcapi:{name}", args=args)


def _self_links(request, path, html_title, json_type=JSON):
    html = wants_html(request)
    return [
        link(request, path, "self", HTML if html else json_type, _("本页"),
             fmt="html" if html else "json"),
        link(request, path, "alternate", json_type if html else HTML,
             _("JSON 格式") if html else _("HTML 格式"), fmt="json" if html else "html"),
    ]


def _page(request, template, context, body: dict):
    """The HTML page of an answer: ``context`` plus the JSON it stands for."""
    context = {"body": body, "title": TITLE, **context}
    # The maps draw WGS-84 lon/lat: a GCJ-02 tile service is left out for the own base.
    context["basemap"] = basemap_config(request, wgs84_only=True, overlays=False)
    return render(request, template, context)


@_guard
def landing(request):
    """The landing page: what this service is and where its parts are."""
    params.check_known(request.GET, params.META_PARAMS)
    body = {
        "title": str(TITLE), "description": str(DESCRIPTION),
        "links": [
            *_self_links(request, _path("landing"), TITLE),
            link(request, _path("openapi"), "service-desc", OPENAPI, _("OpenAPI 定义"),
                 keep=()),
            link(request, _path("openapi"), "service-doc", HTML, _("接口说明"), fmt="html",
                 keep=()),
            link(request, _path("conformance"), "conformance", JSON, _("符合的标准类"),
                 fmt="json", keep=("api_key",)),
            link(request, _path("collections"), "data", JSON, _("数据集合"), fmt="json",
                 keep=("api_key",)),
        ],
    }
    if wants_html(request):
        return _page(request, "gis/ogcapi/landing.html", {}, body)
    return json_response(DUMPS(body))


@_guard
def conformance(request):
    """The conformance classes this server implements."""
    params.check_known(request.GET, params.META_PARAMS)
    body = {"conformsTo": CONFORMANCE}
    if wants_html(request):
        return _page(request, "gis/ogcapi/conformance.html", {}, body)
    return json_response(DUMPS(body))


@_guard
def openapi(request):
    """The OpenAPI 3.0 definition of this API (JSON), or a page listing its paths."""
    params.check_known(request.GET, params.META_PARAMS)
    doc = definition(request)
    if wants_html(request):
        return _page(request, "gis/ogcapi/openapi.html", {"paths": doc["paths"]}, doc)
    return json_response(DUMPS(doc), content_type=OPENAPI)


def _collection_body(request, source) -> dict:
    path = _path("collection", source.id)
    items = _path("items", source.id)
    extent = source.extent()
    body = {
        "id": source.id, "title": str(source.title), "description": str(source.description),
        "itemType": "feature",
        "links": [
            link(request, path, "self", JSON, _("本集合"), fmt="json", keep=("api_key",)),
            link(request, path, "alternate", HTML, _("HTML 格式"), fmt="html",
                 keep=("api_key",)),
            link(request, items, "items", GEOJSON, _("要素(GeoJSON)"), fmt="json",
                 keep=("api_key",)),
            link(request, items, "items", HTML, _("要素(HTML)"), fmt="html",
                 keep=("api_key",)),
        ],
        "extent": {
            "spatial": {"bbox": [extent] if extent else [[-180, -90, 180, 90]],
                        "crs": crs_mod.CRS84},
            "temporal": {"interval": [[None, None]],
                         "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"},
        },
        "crs": list(crs_mod.SUPPORTED),
        "storageCrs": crs_mod.STORAGE,
    }
    body.update(source.meta())
    return body


@_guard
def collections_view(request):
    """The collections the caller may read."""
    params.check_known(request.GET, params.META_PARAMS)
    who = principal(request)
    sources = registry.listed(who)
    body = {
        "links": _self_links(request, _path("collections"), _("数据集合")),
        "collections": [_collection_body(request, s) for s in sources],
        "crs": list(crs_mod.SUPPORTED),
    }
    if wants_html(request):
        rows = [{"c": c, "overlay": c.get("gridgov:overlay", False)}
                for c in body["collections"]]
        return _page(request, "gis/ogcapi/collections.html", {"rows": rows}, body)
    return json_response(DUMPS(body))


@_guard
def collection_view(request, collection_id):
    """One collection's description."""
    params.check_known(request.GET, params.META_PARAMS)
    source = registry.find(collection_id, principal(request))
    body = _collection_body(request, source)
    if wants_html(request):
        return _page(request, "gis/ogcapi/collection.html", {"source": source}, body)
    return json_response(DUMPS(body))


def _filtered(source, who, data):
    queryset = source.rows(who)
    box = params.bbox(data)
    if box is not None:
        queryset = queryset.filter(source.bbox_q(box))
    interval = params.datetime_interval(data)
    if interval is not None:
        if interval.start is not None:
            queryset = queryset.filter(**{f"{source.temporal}__gte": interval.start})
        if interval.end is not None:
            queryset = queryset.filter(**{f"{source.temporal}__lte": interval.end})
    return queryset


def _fetch(queryset, data, size):
    """(rows, has_prev, has_next) of one page, by keyset (``cursor``) or OFFSET."""
    cursor = params.cursor(data)
    if cursor is not None and not cursor.after:
        rows = list(queryset.filter(pk__lt=cursor.pk).order_by("-pk")[:size + 1])
        has_prev = len(rows) > size
        return list(reversed(rows[:size])), has_prev, True
    if cursor is not None:
        rows = list(queryset.filter(pk__gt=cursor.pk).order_by("pk")[:size + 1])
        return rows[:size], True, len(rows) > size
    start = params.offset(data)
    rows = list(queryset.order_by("pk")[start:start + size + 1])
    return rows[:size], start > 0, len(rows) > size


@_guard
def items(request, collection_id):
    """The features of a collection: filtered by bbox and datetime, one page at a time."""
    data = request.GET
    params.check_known(data, params.ITEMS_PARAMS)
    html = wants_html(request)
    out_crs = crs_mod.parse_crs(data.get("crs"))
    # A page draws on a Leaflet map, which reads lon/lat whatever ``crs`` said.
    feature_crs = crs_mod.CRS84 if html else out_crs
    size = params.limit(data)
    who = principal(request)
    source = registry.find(collection_id, who)
    queryset = _filtered(source, who, data)
    rows, has_prev, has_next = _fetch(queryset, data, size)
    path = _path("items", collection_id)
    fmt = "html" if html else "json"
    links = [*_self_links(request, path, source.title, GEOJSON),
             link(request, _path("collection", collection_id), "collection", JSON,
                  _("所属集合"), fmt="json", keep=("api_key",))]
    if has_next and rows:
        links.append(link(request, path, "next", HTML if html else GEOJSON, _("下一页"),
                          fmt=fmt, cursor=params.Cursor(True, source.row_id(rows[-1]))
                          .encode()))
    if has_prev and rows:
        links.append(link(request, path, "prev", HTML if html else GEOJSON, _("上一页"),
                          fmt=fmt, cursor=params.Cursor(False, source.row_id(rows[0]))
                          .encode()))
    head = {"type": "FeatureCollection", "timeStamp": timezone.now().isoformat(
        timespec="seconds"), "numberReturned": len(rows)}
    if data.get("cursor") is None and params.offset(data) == 0:
        matched = queryset.order_by()[:COUNT_CAP + 1].count()
        if matched <= COUNT_CAP:
            head["numberMatched"] = matched
    features = ",".join(source.feature(row, feature_crs) for row in rows)
    text = DUMPS({**head, "links": links})[:-1] + f',"features":[{features}]}}'
    if html:
        return _page(request, "gis/ogcapi/items.html", {
            "source": source, "collection_id": collection_id, "features_json": json.loads(text),
            "next_link": next((x["href"] for x in links if x["rel"] == "next"), ""),
            "prev_link": next((x["href"] for x in links if x["rel"] == "prev"), "")}, head)
    response = json_response(text, content_type=GEOJSON)
    response["Content-Crs"] = crs_mod.header(out_crs)
    return response


@_guard
def item(request, collection_id, feature_id):
    """One feature."""
    data = request.GET
    params.check_known(data, params.ITEM_PARAMS)
    html = wants_html(request)
    out_crs = crs_mod.parse_crs(data.get("crs"))
    who = principal(request)
    source = registry.find(collection_id, who)
    row = source.rows(who).filter(pk=feature_id).first() if feature_id.isdigit() else None
    if row is None:
        raise registry.not_found_feature(collection_id, feature_id)
    path = _path("item", collection_id, feature_id)
    links = [*_self_links(request, path, source.title, GEOJSON),
             link(request, _path("collection", collection_id), "collection", JSON,
                  _("所属集合"), fmt="json", keep=("api_key",))]
    feature = json.loads(source.feature(row, crs_mod.CRS84 if html else out_crs))
    feature["links"] = links
    if html:
        return _page(request, "gis/ogcapi/item.html", {
            "source": source, "collection_id": collection_id, "feature": feature,
            "features_json": {"type": "FeatureCollection", "features": [feature]}}, feature)
    response = json_response(DUMPS(feature), content_type=GEOJSON)
    response["Content-Crs"] = crs_mod.header(out_crs)
    return response
