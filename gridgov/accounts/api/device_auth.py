"""``Authorization: Device <token>``: a mobile device signs its requests as its person.

``request.user`` is the ``User`` (same permissions, same scope through ``restrict()``), marked
with the token it came with (``user.device_token``). An unknown, revoked or expired token, a
disabled account, or an account that has since become one of the three administrators (they
need the TOTP second factor) answers 401. ``last_used_at`` is written at most once a minute.
Kept apart from the API views: DRF imports authentication classes while it loads its own
views, so this module must not import them.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from gridgov.core.access import get_scope

from .. import device_actions
from ..models import DeviceToken

HEADER_PREFIX = "device "
TOUCH_EVERY_SECONDS = 60


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    """Resolve ``Authorization: Device <token>`` to the token's user (see the module)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[: len(HEADER_PREFIX)].lower() != HEADER_PREFIX:
            return None
        raw = header[len(HEADER_PREFIX):].strip()
        token = (DeviceToken.objects.select_related("user")
                 .filter(token_hash=device_actions.hash_token(raw)).first()) if raw else None
        now = timezone.now()
        if (token is None or token.revoked_at is not None
                or (token.expires_at is not None and token.expires_at <= now)
                or not token.user.is_active):
            raise exceptions.AuthenticationFailed(_("设备令牌无效、已过期或已吊销。"))
        user = token.user
        user.device_token = token
        scope = get_scope(user)
        if scope is None or scope.is_admin:
            raise exceptions.AuthenticationFailed(_("管理员须以动态口令登录,不能使用设备令牌。"))
        # At most once a minute: a busy device must not turn every read into a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
                TOUCH_EVERY_SECONDS):
            DeviceToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request):
        return "Device"
