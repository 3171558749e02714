"""OpenAPI post-processing: the error answers every endpoint can give, documented once.

Every operation may answer 401 (no or bad credentials), 403 (a role that may not use it, or
an administrator without the second factor), 404 (missing *or out of scope*,
indistinguishably) and 429 (over the rate of ``gridgov.core.api_throttle``, which every view
counts, with ``Retry-After``); every operation that takes parameters or a body may answer
400. All of them carry ``{"errors": [{"field", "code", "message"}]}``
(``gridgov.core.api.exception_handler``). Views document their own answers where they say
more; this hook only fills in what is missing, so clients (and the schemathesis suite) can
rely on the schema listing every status code the API really returns.

The same hook drops the ``title`` django-filter gives each query parameter's schema (its
Chinese label, already the parameter's ``description``): OpenAPI generators name a
parameter's enum class after that title, so a generated client got modules and classes such
as ``events_list_处置层级`` instead of ``EventsListLevel``.
"""

from drf_spectacular.openapi import AutoSchema

from .access.drf import PUBLIC, SAFE_METHODS, permissions_for

ERROR_LIST = "ErrorList"
ERROR_LIST_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["field", "code", "message"],
            },
        },
    },
    "required": ["errors"],
}
DESCRIPTIONS = {
    "400": "请求参数有误(字段与原因)",
    "401": "未登录或凭据无效",
    "403": "无权使用此接口",
    "404": "不存在或不在您的数据范围内",
    "429": "请求过于频繁(Retry-After 头给出须等待的秒数)",
}
RETRY_AFTER = {"Retry-After": {"description": "须等待的秒数", "schema": {"type": "integer"}}}
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def _drop_titles(schema: dict) -> None:
    """Remove ``title`` from a parameter's schema and the schemas inside it (array items)."""
    schema.pop("title", None)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _drop_titles(schema[key])
    for key in ("oneOf", "anyOf", "allOf"):
        for inner in schema.get(key, []):
            _drop_titles(inner)


def add_error_responses(result, generator, request, public):
    """drf-spectacular ``POSTPROCESSING_HOOKS`` entry."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR_LIST, ERROR_LIST_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_LIST}"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            # 404 everywhere: an object, or a whole resource a role has no business with
            # (the audit log for anyone but the audit administrator), answers as if absent.
            codes = ["401", "403", "404", "429"]
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("400")
            for parameter in operation.get("parameters", []):
                _drop_titles(parameter.get("schema", {}))
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {
                    "description": DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ref}},
                    **({"headers": RETRY_AFTER} if code == "429" else {}),
                })
    return result


class PermissionAutoSchema(AutoSchema):
    """drf-spectacular's schema, with each operation's required permission written in
    (``x-permissions`` and a line of the description), from ``gridgov.core.access.drf``.

    A viewset whose ``list`` answers one object (``/api/v1/me/``) says so with
    ``schema_single_object = True``; drf-spectacular would otherwise declare an array."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "schema_single_object", False):
            return False
        return super()._is_list_view(serializer)

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        needed = permissions_for(self.view, self.method)
        operation["x-permissions"] = list(needed)
        if PUBLIC in needed:
            line = "权限:公开,无需登录。"
        elif needed:
            line = "权限:" + " 或 ".join(f"`{code}`" for code in needed)
            if (getattr(self.view, "reads_narrowed_by_scope", False)
                    and self.method.upper() in SAFE_METHODS):
                line += "(无此权限时按数据范围处理:列表为空,单条为 404)"
        else:
            line = "权限:任何已登录的人员(数据范围另行限定)。"
        description = operation.get("description", "")
        operation["description"] = f"{description}\n\n{line}" if description else line
        return operation
