"""``/api/device-tokens/``: a person's mobile device tokens (the authentication class that
reads ``Authorization: Device <token>`` is ``gridgov.accounts.api.device_auth``).

The API: list the tokens the principal reaches (its own; everyone's for the security
administrator), issue one for oneself (the token is in that one answer only, ``no-store``),
revoke. Writes go through ``gridgov.accounts.device_actions``.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from gridgov.core.api import ActionViewSet

from .. import device_actions
from ..models import DeviceToken


class DeviceTokenSerializer(serializers.ModelSerializer):
    """A device token as listed: never the token, only its prefix."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = DeviceToken
        fields = ["id", "prefix", "name", "user", "created_at", "last_used_at", "expires_at",
                  "revoked_at", "is_active"]
        read_only_fields = fields

    def get_is_active(self, obj) -> bool:
        return obj.revoked_at is None and (obj.expires_at is None
                                           or obj.expires_at > timezone.now())


class DeviceTokenIssuedSerializer(DeviceTokenSerializer):
    """The answer to issuing a token: the only time the token itself is shown."""

    token = serializers.CharField(read_only=True,
                                  help_text=_("令牌原文,仅此一次返回,请保存在设备上。"))

    class Meta(DeviceTokenSerializer.Meta):
        fields = [*DeviceTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class DeviceTokenCreateSerializer(serializers.Serializer):
    """Input for issuing a token for one's own device."""

    name = serializers.CharField(max_length=device_actions.NAME_MAX,
                                 help_text=_("设备名称,如“张三的工作手机”。"))
    expires_at = serializers.DateTimeField(required=False, allow_null=True,
                                           help_text=_("到期时间(可选,省略则长期有效)。"))


@extend_schema(tags=["accounts"])
@extend_schema_view(
    list=extend_schema(summary="设备令牌列表(本人的;安全管理员可见全部)"),
    retrieve=extend_schema(summary="设备令牌详情"),
)
class DeviceTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ActionViewSet):
    """A person's mobile device tokens (see the module docstring)."""

    queryset = DeviceToken.objects.select_related("user")
    serializer_class = DeviceTokenSerializer
    input_serializer_class = DeviceTokenCreateSerializer
    # Issued and revoked, never edited.
    http_method_names = ["get", "post", "head", "options"]
    # Any signed-in person, for their own tokens (the list is narrowed to them by
    # restrict_q); revoking another's is checked by the action (accounts.manage_device_tokens).
    required_permission = ()

    @extend_schema(request=DeviceTokenCreateSerializer,
                   responses={201: DeviceTokenIssuedSerializer},
                   summary="为本人设备签发令牌(原文仅返回一次)")
    def create(self, request, *args, **kwargs):
        def issue(data):
            token, raw = device_actions.issue_device_token(
                name=data["name"], expires_at=data.get("expires_at"), actor=request.user)
            token.token = raw
            return token

        response = self.run(issue, status=status.HTTP_201_CREATED,
                            serializer_class=DeviceTokenIssuedSerializer)
        # The raw token must not linger in any cache on the way.
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(request=None, summary="吊销设备令牌",
                   responses={200: DeviceTokenSerializer,
                              400: OpenApiResponse(description="已吊销")})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        return self.respond(device_actions.revoke_device_token(token, actor=request.user))


def register(router) -> None:
    """Add ``device-tokens`` to an API router (``gridgov.accounts.api.urls``)."""
    router.register("device-tokens", DeviceTokenViewSet, basename="device-token")
