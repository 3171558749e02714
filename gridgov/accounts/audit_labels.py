"""Names of the audit actions and object types the accounts app records
(read by ``gridgov.audit.labels``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "accounts.login": _("登录"),
    "accounts.logout": _("退出登录"),
    "accounts.login_failed": _("登录失败"),
    "accounts.login_refused": _("锁定期间尝试登录"),
    "accounts.locked": _("账号被锁定"),
    "accounts.unlocked": _("解除账号锁定"),
    "accounts.signin_throttled": _("登录过于频繁被限制"),
    "accounts.password_changed": _("修改密码"),
    "accounts.totp_enrolled": _("生成动态口令密钥"),
    "accounts.totp_confirmed": _("绑定动态口令"),
    "accounts.totp_verified": _("动态口令验证通过"),
    "accounts.totp_failed": _("动态口令验证失败"),
    "accounts.totp_reset": _("重置动态口令"),
    "accounts.user_created": _("新建用户"),
    "accounts.user_deactivated": _("停用用户"),
    "accounts.role_assigned": _("授予角色"),
    "accounts.role_revoked": _("撤销角色"),
    "accounts.department_created": _("新建部门"),
    "accounts.api_key_issued": _("签发接口密钥"),
    "accounts.api_key_revoked": _("吊销接口密钥"),
    "accounts.device_token_issued": _("签发移动设备令牌"),
    "accounts.device_token_revoked": _("吊销移动设备令牌"),
    "accounts.encrypt_personal_columns": _("加密存量个人信息(迁移)"),
    "accounts.decrypt_personal_columns": _("解密存量个人信息(迁移回退)"),
}

OBJECT_TYPES = {
    "accounts.login": _("登录账号"),
    "accounts.login_address": _("登录地址"),
}
