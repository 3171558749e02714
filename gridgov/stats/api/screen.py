"""The big screen's figures as JSON (``/api/v1/stats/screen/``, and ``/stats/api/screen/``
beside the page): what ``stats.views.screen`` shows, scoped to the viewer's area."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridgov.core.access import get_scope
from gridgov.stats.forms import code_prefix

from ..views.screen import screen_area, screen_data


class CountersSerializer(serializers.Serializer):
    today = serializers.IntegerField(help_text="今日上报")
    open = serializers.IntegerField(help_text="在办(未结案)")
    due_soon = serializers.IntegerField(help_text="即将到期")
    overdue = serializers.IntegerField(help_text="已超期")
    supervised = serializers.IntegerField(help_text="督办中(未结案)")
    closed_today = serializers.IntegerField(help_text="今日结案")


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    url = serializers.CharField(allow_null=True)
    category = serializers.CharField()
    grid = serializers.CharField()
    status = serializers.ChoiceField(choices=["overdue", "due_soon"])
    minutes = serializers.IntegerField(help_text="已超期或剩余的分钟数")
    supervised = serializers.BooleanField()
    deadline = serializers.CharField(help_text="环节时限(本地时间 MM-DD HH:MM)")


class TrendSerializer(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    reported = serializers.ListField(child=serializers.IntegerField())
    closed = serializers.ListField(child=serializers.IntegerField())


class DutyItemSerializer(serializers.Serializer):
    name = serializers.CharField()
    steps = serializers.IntegerField()
    last = serializers.CharField()


class DutySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    hours = serializers.IntegerField(help_text="统计最近几小时内的办件操作")
    items = DutyItemSerializer(many=True)


class ScreenSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="区域编码(空:本人全部辖区)")
    updated = serializers.CharField()
    refresh = serializers.IntegerField(help_text="建议刷新间隔(秒)")
    counters = CountersSerializer()
    alerts = AlertSerializer(many=True)
    points = serializers.ListField(
        child=serializers.ListField(), help_text="在办事件:[id, 纬度, 经度, overdue|due_soon|open]")
    trend = TrendSerializer()
    duty = DutySerializer()


class ScreenDataView(APIView):
    """指挥大屏数据: counters, alerts, open events on the map, 7-day trend, grid workers on
    duty, of the viewer's area (or ``area`` inside it; outside: 404)."""

    required_permission = "stats.view"

    @extend_schema(
        summary="指挥大屏数据", tags=["stats"], responses={200: ScreenSerializer},
        parameters=[OpenApiParameter("area", str, description="区域编码(须在本人辖区内)")])
    def get(self, request):
        requested = request.query_params.get("area", "")
        if requested:
            try:
                code_prefix(requested)
            except ValidationError as exc:
                raise exceptions.ValidationError({"area": [str(m) for m in exc.messages]}) \
                    from exc
        area = screen_area(get_scope(request.user), requested)
        if area is None:
            raise exceptions.NotFound(_("没有这个区域,或不在您的管辖范围内。"))
        return Response(screen_data(request.user, area))
