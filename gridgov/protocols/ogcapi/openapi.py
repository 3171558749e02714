"""The OpenAPI 3.0 definition of the OGC API (conformance class OAS30): the paths, their
parameters and answers, written out once here rather than generated, as the views are plain
Django views with their own wire format."""

from django.urls import reverse

from . import crs as crs_mod
from . import params

GEOJSON_SCHEMA = "https://geojson.org/schema/FeatureCollection.json"
FEATURE_SCHEMA = "https://geojson.org/schema/Feature.json"


def _param(name, where, description, schema, required=False, **extra):
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema, **extra}


PARAMETERS = {
    "f": _param("f", "query", "Output format: json or html (else the Accept header decides).",
                {"type": "string", "enum": ["json", "html"]}),
    "collectionId": _param("collectionId", "path", "The collection's id.",
                           {"type": "string"}, required=True),
    "featureId": _param("featureId", "path", "The feature's id.", {"type": "string"},
                        required=True),
    "bbox": _param("bbox", "query", "minx,miny,maxx,maxy (or six numbers with heights) in "
                   "bbox-crs (CRS84 by default).",
                   {"type": "array", "minItems": 4, "maxItems": 6,
                    "items": {"type": "number"}}, style="form", explode=False),
    "bbox-crs": _param("bbox-crs", "query", "The CRS of bbox.",
                       {"type": "string", "format": "uri", "enum": list(crs_mod.SUPPORTED)}),
    "datetime": _param("datetime", "query", "An RFC 3339 instant, or an interval start/end "
                       "with '..' for an open end.", {"type": "string"}),
    "limit": _param("limit", "query", f"Features per page (default {params.DEFAULT_LIMIT}; "
                    f"above {params.MAX_LIMIT} served as {params.MAX_LIMIT}).",
                    {"type": "integer", "minimum": 1, "default": params.DEFAULT_LIMIT}),
    "cursor": _param("cursor", "query", "Opaque keyset position from a next / prev link.",
                     {"type": "string"}),
    "offset": _param("offset", "query", "Rows to skip (SQL OFFSET; prefer the next links).",
                     {"type": "integer", "minimum": 0}),
    "crs": _param("crs", "query", "The CRS of the answer's coordinates.",
                  {"type": "string", "format": "uri", "enum": list(crs_mod.SUPPORTED)}),
}


def _ref(name):
    return {"$ref": f"#/components/parameters/{name}"}


def _answer(description, media_types, schema=None):
    content = {m: {"schema": schema or {"type": "object"}} for m in media_types}
    return {"description": description, "content": content}


def _get(summary, operation_id, parameters, ok):
    errors = {"400": {"description": "Invalid parameter"},
              "404": {"description": "Not found (or outside the caller's scope)"},
              "429": {"description": "Too many requests"}}
    return {"get": {"summary": summary, "operationId": operation_id,
                    "parameters": [_ref(p) for p in parameters],
                    "responses": {"200": ok, **errors}}}


def definition(request) -> dict:
    """The definition, with the server's own address."""
    base = request.build_absolute_uri(reverse("ogcapi:landing")).rstrip("/")
    meta = ["application/json", "text/html"]
    features = ["application/geo+json", "text/html"]
    return {
        "openapi": "3.0.3",
        "info": {"title": "GridGov OGC API - Features", "version": "1.0.0",
                 "description": "Areas, grids, basic data, cameras, events and departments' "
                                "layers as OGC API - Features (Part 1 and Part 2)."},
        "servers": [{"url": base}],
        "components": {
            "parameters": PARAMETERS,
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header",
                                           "name": "X-API-Key"}},
        },
        "security": [{}, {"apiKey": []}],
        "paths": {
            "/": _get("Landing page", "getLandingPage", ["f"], _answer("Landing page", meta)),
            "/conformance": _get("Conformance classes", "getConformanceDeclaration", ["f"],
                                 _answer("Conformance classes", meta)),
            "/api": _get("This definition", "getAPI", ["f"],
                         _answer("OpenAPI", ["application/vnd.oai.openapi+json;version=3.0"])),
            "/collections": _get("Collections", "getCollections", ["f"],
                                 _answer("Collections", meta)),
            "/collections/{collectionId}": _get(
                "One collection", "describeCollection", ["collectionId", "f"],
                _answer("Collection", meta)),
            "/collections/{collectionId}/items": _get(
                "Features", "getFeatures",
                ["collectionId", "f", "bbox", "bbox-crs", "datetime", "limit", "cursor",
                 "offset", "crs"],
                _answer("Features", features, {"$ref": GEOJSON_SCHEMA})),
            "/collections/{collectionId}/items/{featureId}": _get(
                "One feature", "getFeature", ["collectionId", "featureId", "f", "crs"],
                _answer("Feature", features, {"$ref": FEATURE_SCHEMA})),
        },
    }
