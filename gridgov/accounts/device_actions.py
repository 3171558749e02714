"""Verbs on device tokens: a person issues tokens for their own mobile devices and revokes
them; the security administrator revokes anyone's (a lost or stolen phone).

A device token stands for its person (``Authorization: Device <token>``, see
``gridgov.accounts.api.devices``): the same permissions and scope, so it is issued only to
that person, and only from a signed-in session, never from another device token (a stolen
token must not mint successors that outlive its revocation). The three separated
administrators cannot hold one: their sign-in needs a TOTP second factor a token cannot carry.
Only a SHA-256 of the token is stored; the token is returned once. Every issue and revocation
is audited in the same transaction.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot
from gridgov.core.access import get_scope, require

from .models import DeviceToken, User
from .secrets import new_secret

TOKEN_PREFIX = "ggd_"
TOKEN_FIELDS = ("user", "name", "prefix", "expires_at", "revoked_at")
NAME_MAX = 100


def hash_token(raw: str) -> str:
    """Tokens are long random strings: a plain SHA-256 is a sound one-way lookup hash."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _check_holder(actor) -> None:
    if not isinstance(actor, User):
        raise PermissionDenied(_("设备令牌只能由本人登录后为自己签发。"))
    if getattr(actor, "device_token", None) is not None:
        raise PermissionDenied(_("不能用设备令牌签发新的设备令牌,请登录后操作。"))
    scope = get_scope(actor)
    if scope is None or scope.is_admin:
        raise PermissionDenied(_("系统、安全和审计管理员须以动态口令登录,不能使用设备令牌。"))


def issue_device_token(*, name, actor, expires_at=None) -> tuple[DeviceToken, str]:
    """Issue a token for the actor's own device; the raw token is returned once."""
    _check_holder(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写设备名称。")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("设备名称不能超过 %(n)d 个字符。") % {"n": NAME_MAX}})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("到期时间须晚于现在。")})
    with transaction.atomic():
        raw, prefix = new_secret(TOKEN_PREFIX, DeviceToken)
        token = DeviceToken.objects.create(user=actor, name=name, prefix=prefix,
                                           token_hash=hash_token(raw), expires_at=expires_at)
        record("accounts.device_token_issued", actor=actor, obj=token,
               after=snapshot(token, TOKEN_FIELDS), new_chain=True)
    return token, raw


def revoke_device_token(token, *, actor) -> DeviceToken:
    """Revoke a token at once: the next request signed with it gets 401. Its holder may, and
    the security administrator (``accounts.manage_device_tokens``) may for anyone."""
    if actor is not None and getattr(actor, "pk", None) != token.user_id:
        require(actor, "accounts.manage_device_tokens",
                message=_("只能吊销自己的设备令牌。"))
    if token.revoked_at is not None:
        raise ValidationError({"token": _("该设备令牌已吊销。")})
    with transaction.atomic():
        before = snapshot(token, TOKEN_FIELDS)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record("accounts.device_token_revoked", actor=actor, obj=token, before=before,
               after=snapshot(token, TOKEN_FIELDS))
    return token
