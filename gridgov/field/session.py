"""The field session: a signed-in browser session on a phone, bound to a device row.

A grid worker's phone loses signal in stairwells and old lanes for hours, so the terminal's
session cannot end after the desktop's 30 idle minutes. Signing in at ``/m/login/`` therefore
issues an ``accounts.DeviceToken`` row named "移动终端 · <browser>" and marks the session with
its id (``DEVICE_KEY``). Such a session gets the field limits instead of the desktop ones
(``GRIDGOV_FIELD_SESSION_IDLE_SECONDS``, default 36 h; ``GRIDGOV_FIELD_SESSION_AGE``, default 7
days; ``gridgov.core.middleware.SessionIdleTimeoutMiddleware``), and ends at the next request
once its row is revoked (by its holder on 我的 → 退出登录 or in the device list, or by the
security administrator for a lost phone) or expired. The row's raw token is never handed out:
the session cookie stays the credential, the row is the revocable handle on it.

The three administrators (TOTP) and people without ``field.use`` get an ordinary session.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.translation import gettext as _

DEVICE_KEY = "gridgov_field_device"
DEFAULT_IDLE = 36 * 3600
DEFAULT_AGE = 7 * 24 * 3600

_BROWSERS = (  # (user-agent marker, name shown), first match wins
    ("MicroMessenger", "微信"), ("DingTalk", "钉钉"), ("EdgA", "Edge"), ("Edg/", "Edge"),
    ("HuaweiBrowser", "华为浏览器"), ("MiuiBrowser", "小米浏览器"), ("UCBrowser", "UC 浏览器"),
    ("QQBrowser", "QQ 浏览器"), ("Firefox", "Firefox"), ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("HarmonyOS", "HarmonyOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"),
            ("Linux", "Linux"))


def idle_seconds() -> int:
    return int(getattr(settings, "GRIDGOV_FIELD_SESSION_IDLE_SECONDS", DEFAULT_IDLE))


def max_age() -> int:
    return int(getattr(settings, "GRIDGOV_FIELD_SESSION_AGE", DEFAULT_AGE))


def browser_label(user_agent: str) -> str:
    """"Chrome · Android" from a user agent (what the device list shows)."""
    ua = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in ua), _("浏览器"))
    system = next((name for mark, name in _SYSTEMS if mark in ua), "")
    return f"{browser} · {system}" if system else browser


def device_name(request) -> str:
    return _("移动终端 · %(browser)s") % {
        "browser": browser_label(request.META.get("HTTP_USER_AGENT", ""))}


def bind(request, user):
    """Bind the just signed-in session to a new device row; answer the row."""
    from gridgov.accounts import device_actions

    expires = timezone.now() + dt.timedelta(seconds=max_age())
    token, _raw = device_actions.issue_device_token(
        name=device_name(request)[:device_actions.NAME_MAX], actor=user, expires_at=expires)
    request.session[DEVICE_KEY] = token.pk
    # The cookie and the stored session live as long as the field session may.
    request.session.set_expiry(max_age())
    return token


def device_of(request):
    """The device row the session is bound to, or None."""
    from gridgov.accounts.models import DeviceToken

    pk = request.session.get(DEVICE_KEY) if hasattr(request, "session") else None
    return DeviceToken.objects.filter(pk=pk).first() if pk else None


def device_alive(pk) -> bool:
    """Whether the device row ``pk`` still stands (not revoked, not expired): one query."""
    from django.db.models import Q

    from gridgov.accounts.models import DeviceToken

    now = timezone.now()
    return DeviceToken.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), pk=pk,
        revoked_at__isnull=True).exists()


def end(request) -> None:
    """Sign out of the field session: revoke its device row (audited), then log out."""
    from gridgov.accounts import device_actions

    token = device_of(request)
    if token is not None and token.revoked_at is None and request.user.is_authenticated:
        device_actions.revoke_device_token(token, actor=request.user)
    logout(request)
