"""The keyword dictionary's API (``/stats/api/keywords/``, ``stats.manage_keywords``).

List and read the words, add one (``POST``), change one (``PATCH``: term, kind, note,
is_active), and rebuild the term index (``POST …/rebuild/``). Writes call
``stats.actions`` (checked and audited there); bad input answers 400 with the field.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from gridgov.core.api import ActionViewSet

from .. import actions
from ..models import MANAGE, KeywordTerm, TermKind


class KeywordSerializer(serializers.ModelSerializer):
    class Meta:
        model = KeywordTerm
        fields = ("id", "term", "kind", "is_active", "note", "created_at", "updated_at")
        read_only_fields = fields


class KeywordInputSerializer(serializers.Serializer):
    term = serializers.CharField(max_length=20)
    kind = serializers.ChoiceField(choices=TermKind.choices, default=TermKind.GOVERNANCE)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class KeywordUpdateSerializer(serializers.Serializer):
    term = serializers.CharField(max_length=20, required=False)
    kind = serializers.ChoiceField(choices=TermKind.choices, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class RebuildSerializer(serializers.Serializer):
    events = serializers.IntegerField()
    terms = serializers.IntegerField()
    revision = serializers.IntegerField()
    seconds = serializers.FloatField()


class KeywordViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """热词词典: the words jieba keeps whole (places, governance terms) and the stop words."""

    queryset = KeywordTerm.objects.order_by("kind", "term")
    serializer_class = KeywordSerializer
    input_serializer_class = KeywordInputSerializer
    update_input_serializer_class = KeywordUpdateSerializer
    create_action = staticmethod(actions.create_keyword)
    update_action = staticmethod(actions.update_keyword)
    required_permission = MANAGE

    @extend_schema(summary="新增热词词条", request=KeywordInputSerializer,
                   responses={201: KeywordSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(summary="修改热词词条", request=KeywordUpdateSerializer,
                   responses=KeywordSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(summary="重建热词索引", request=None, responses=RebuildSerializer)
    @action(detail=False, methods=["post"])
    def rebuild(self, request):
        result = actions.rebuild_keyword_index(actor=request.user)
        return Response(RebuildSerializer(result).data)
