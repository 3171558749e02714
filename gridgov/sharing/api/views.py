"""The exchange API: granted rows of a resource for a department's system (API key only)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from gridgov.accounts.api.authentication import ApiClient, ApiKeyAuthentication
from gridgov.core.context import current_request_id

from ..choices import ExchangeChannel
from ..exchange import Evidence, active_grant, stream_rows
from ..models import Resource
from ..permissions import EXCHANGE
from ..sources import RowSource, SourceUnavailable, decode_cursor, parse_limit, parse_since


class ExchangeRowsView(APIView):
    """Rows of a resource for a granted consumer department.

    Keyset-paginated on (updated timestamp, id): follow ``next_cursor`` until it is null.
    ``updated_since`` pulls only rows changed since then. Only the granted fields are
    returned, each masked as the grant says. The body is streamed; every call is kept as
    exchange evidence with the SHA-256 of the body. ``X-Case-Id`` names the case served.
    """

    authentication_classes = [ApiKeyAuthentication]
    required_permission = EXCHANGE

    @extend_schema(
        summary="交换接口:按授权拉取资源数据(部门 API 密钥)",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                             description="资源代码"),
            OpenApiParameter("updated_since", OpenApiTypes.DATETIME,
                             description="只返回此时间(含)之后更新的行"),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="上一页的 next_cursor"),
            OpenApiParameter("limit", OpenApiTypes.INT, description="每页行数,1–50000,默认 1000"),
            OpenApiParameter("X-Case-Id", OpenApiTypes.STR, OpenApiParameter.HEADER,
                             description="本次调用服务的案件编号(记入交换日志)"),
        ],
        responses={200: OpenApiResponse(
            response={"type": "object", "properties": {
                "resource": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "items": {"type": "object"}},
                "count": {"type": "integer"},
                "next_cursor": {"type": "string", "nullable": True},
            }},
            description="授权字段的数据行(流式 JSON)",
        )},
    )
    def get(self, request, code):
        client = request.user
        if not isinstance(client, ApiClient):
            raise PermissionDenied(_("交换接口只接受部门 API 密钥。"))
        resource = Resource.objects.restrict(client).filter(code=code).first()
        if resource is None:
            raise Http404
        grant = active_grant(resource, client.department_id)
        params = request.query_params
        limit = parse_limit(params.get("limit"))
        since = parse_since(params.get("updated_since", ""))
        after = decode_cursor(params["cursor"]) if params.get("cursor") else None
        try:
            source = RowSource(resource)
        except SourceUnavailable:
            raise ValidationError({"code": _("该资源的数据源在本系统中不可用。")})
        qs = source.walk(updated_since=since, after=after)
        evidence = Evidence(
            actor=client, resource=resource, grant=grant, channel=ExchangeChannel.EXCHANGE,
            request_id=current_request_id(), case_id=request.headers.get("X-Case-Id", ""),
            params={k: params.get(k) for k in ("updated_since", "cursor", "limit")
                    if params.get(k)},
        )
        body = stream_rows(source, qs, grant, limit=limit, evidence=evidence,
                           head={"resource": resource.code, "fields": list(grant.fields)})
        response = StreamingHttpResponse(body, content_type="application/json")
        response["Cache-Control"] = "no-store"
        return response
