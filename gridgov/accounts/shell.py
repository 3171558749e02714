"""What the accounts app adds to the page shell: its menu entries and its waiting work.

Registered from ``AccountsConfig.ready()`` (the convention of ``gridgov.web.menus`` and
``gridgov.web.worklist``).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.access import grants
from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import DANGER, SAMPLE_SIZE, WARN, WorkItem, url_or_none
from gridgov.web.worklist import register as register_work


def locked_accounts(user, scope):
    """Accounts locked out after repeated failed sign-ins (for whoever may unlock them)."""
    from .models import AccountLock

    locks = AccountLock.objects.filter(locked_until__gt=timezone.now())
    count = locks.count()
    sample = list(
        locks.order_by("-locked_until").values_list("username", "locked_until")[:SAMPLE_SIZE]
    ) if count else []
    yield WorkItem(
        key="accounts.locked",
        title=_("被锁定的账号"),
        count=count,
        url=url_or_none("accounts:locks"),
        severity=DANGER,
        note=_("多次登录失败后被锁定;核实身份后可解锁。"),
        samples=[
            _("%(username)s(至 %(until)s)")
            % {"username": name, "until": timezone.localtime(until).strftime("%H:%M")}
            for name, until in sample
        ],
    )


def admins_without_totp(user, scope):
    """Administrators (三员 duty roles) who have not confirmed their second factor."""
    from .models import User

    rows = list(
        User.objects.filter(
            is_active=True, totp_confirmed=False,
            assignments__role__in=sorted(grants.table().admin_roles),
        )
        .distinct()
        .order_by("username")
        .values_list("username", "real_name")
    )
    yield WorkItem(
        key="accounts.admin_totp",
        title=_("未绑定动态口令的管理员"),
        count=len(rows),
        url=url_or_none("accounts:users"),
        severity=WARN,
        note=_("三员必须使用动态口令(TOTP)登录。"),
        samples=[f"{real or name}({name})" for name, real in rows[:SAMPLE_SIZE]],
    )


def register() -> None:
    """Menu entries and worklist providers of the account pages."""
    # The system administrator manages departments, accounts and API keys; the security
    # administrator assigns roles, edits what each role may do, unlocks accounts and resets
    # second factors (docs/architecture.md, "三员"). Who sees an entry is the permission's.
    register_menu(MenuItem("departments", _("部门"), ("accounts:departments",),
                           permission="accounts.manage_departments", order=60))
    register_menu(MenuItem("users", _("用户与角色"), ("accounts:users",),
                           permission="accounts.view_users", order=70))
    register_menu(MenuItem("roles", _("角色与权限"), ("accounts:roles",),
                           permission="core.manage_roles", order=72))
    register_menu(MenuItem("jobs", _("定时任务"), ("accounts:jobs",),
                           permission="core.view_jobs", order=74))
    register_menu(MenuItem("locks", _("账号锁定"), ("accounts:locks",),
                           permission="accounts.manage_locks", order=75))
    register_menu(MenuItem("api_keys", _("API 密钥"), ("accounts:api_keys",),
                           permission="accounts.manage_api_keys", order=80))
    register_menu(MenuItem("password", _("修改密码"), ("accounts:password",), order=200))
    register_work("accounts.locked", permission="accounts.manage_locks", order=10)(
        locked_accounts)
    # Whoever hands out roles makes sure administrators use their second factor.
    register_work("accounts.admin_totp", permission="accounts.reset_second_factor", order=20)(
        admins_without_totp)
