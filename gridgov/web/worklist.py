"""待办: the work waiting for a person, gathered from providers that apps register.

A provider is a function ``provider(user, scope) -> iterable of WorkItem`` registered for the
roles it serves. The home page asks every provider whose roles the principal holds. Each
provider must run a fixed, small number of queries (never one per row): the home page is the
first page everyone opens, and its query count is guarded by a test.

Later apps add their own work in their ``AppConfig.ready()``::

    from gridgov.web.worklist import WorkItem, register

    @register("events.to_dispatch", roles={Role.DISPATCHER}, order=10)
    def events_to_dispatch(user, scope):
        qs = Event.objects.restrict(user).filter(status="accepted")
        yield WorkItem(key="events.to_dispatch", title=_("待派遣事件"), count=qs.count(),
                       url=reverse("events:list") + "?status=accepted")
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.choices import ADMIN_ROLES, Role

INFO, WARN, DANGER = "info", "warn", "danger"
SAMPLE_SIZE = 5


@dataclass
class WorkItem:
    """One kind of waiting work: what it is, how many, a few examples and where to act."""

    key: str
    title: str
    count: int
    url: str | None = None
    severity: str = WARN
    note: str = ""
    samples: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.samples))


Provider = Callable[..., Iterable[WorkItem]]


@dataclass(frozen=True)
class _Registered:
    key: str
    roles: frozenset | None  # TRANSITIONAL (issue 8): use ``permission``
    order: int
    func: Provider
    permission: tuple = ()

    def serves(self, scope) -> bool:
        if self.permission:
            return scope.can(*self.permission)
        return self.roles is None or bool(scope.roles & self.roles)


_PROVIDERS: dict[str, _Registered] = {}


def register(key: str, *, roles=None, permission=None, order: int = 100):
    """Register a waiting-work provider for principals holding ``permission`` (any of them,
    for a tuple; None: everyone signed in)."""
    perms = (permission,) if isinstance(permission, str) else tuple(permission or ())

    def decorate(func: Provider) -> Provider:
        _PROVIDERS[key] = _Registered(key, frozenset(roles) if roles else None, order, func,
                                      perms)
        return func

    return decorate


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers_for(scope) -> list[_Registered]:
    if scope is None:
        return []
    chosen = [p for p in _PROVIDERS.values() if p.serves(scope)]
    return sorted(chosen, key=lambda p: (p.order, p.key))


def collect(user, scope) -> list[WorkItem]:
    """Every waiting-work item for the principal; items with nothing waiting are dropped."""
    out: list[WorkItem] = []
    for provider in providers_for(scope):
        out.extend(item for item in provider.func(user, scope) if item.count)
    return out


def url_or_none(name: str, query: str = "") -> str | None:
    """A link to a page that may not exist yet in this installation."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None


# --- Built-in providers: the work the foundation itself creates -----------------------------


@register("accounts.locked", roles={Role.SEC_ADMIN}, order=10)
def locked_accounts(user, scope):
    """Security administrator: accounts locked out after repeated failed sign-ins."""
    from gridgov.accounts.models import AccountLock

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


@register("accounts.admin_totp", roles={Role.SEC_ADMIN}, order=20)
def admins_without_totp(user, scope):
    """Security administrator: administrators who have not confirmed their second factor."""
    from gridgov.accounts.models import User

    rows = list(
        User.objects.filter(
            is_active=True, totp_confirmed=False, assignments__role__in=list(ADMIN_ROLES)
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


def _closed_days_without_anchor(today):
    """Closed days (before ``today``, local time) with audit records and no anchor yet.

    The same rule as ``audit.anchor.anchor_closed_days``: only days after the last seal (or
    purge mark). One query: the distinct local days of those records, grouped by the database.
    """
    from gridgov.audit.anchor import chain_start, day_bounds, local_tz
    from gridgov.audit.models import AuditRecord

    tz = local_tz()
    floor_day, _ = chain_start()
    records = AuditRecord.objects.filter(at__lt=day_bounds(today, tz)[0])
    if floor_day is not None:
        records = records.filter(at__gte=day_bounds(floor_day, tz)[1])
    days = sorted(
        records.annotate(day=TruncDate("at", tzinfo=tz)).values_list("day", flat=True).distinct()
    )
    return days, floor_day


@register("audit.unanchored", roles={Role.AUDIT_ADMIN}, order=10)
def unanchored_days(user, scope):
    """Audit administrator: closed days whose records are not sealed by an anchor yet."""
    today = timezone.localdate()
    days, last_anchor = _closed_days_without_anchor(today)
    note = (
        _("最近一次封存:%(day)s。") % {"day": last_anchor.isoformat()}
        if last_anchor else _("尚未封存过任何一天。")
    )
    yield WorkItem(
        key="audit.unanchored",
        title=_("未封存的日志日期"),
        count=len(days),
        url=url_or_none("audit:verify"),
        severity=WARN,
        note=note,
        samples=[d.isoformat() for d in days[:SAMPLE_SIZE]],
    )


@register("audit.verify", roles={Role.AUDIT_ADMIN}, order=20)
def last_verify(user, scope):
    """Audit administrator: when the chain was last verified (a reminder after a day)."""
    from gridgov.audit.models import AuditRecord

    last = (
        AuditRecord.objects.filter(action__in=VERIFY_ACTIONS)
        .order_by("-at")
        .values_list("at", "remark")
        .first()
    )
    if last is not None and timezone.now() - last[0] < dt.timedelta(days=1):
        return
    if last is None:
        note = _("日志链尚未校验过;请运行 gridgov audit verify 或在审计页面校验。")
    else:
        note = _("上次校验:%(at)s。") % {
            "at": timezone.localtime(last[0]).strftime("%Y-%m-%d %H:%M")
        }
    yield WorkItem(
        key="audit.verify",
        title=_("日志链待校验"),
        count=1,
        url=url_or_none("audit:verify"),
        severity=INFO,
        note=note,
    )


# The audit action names a chain verification is recorded under.
VERIFY_ACTIONS = ("audit.verify",)

# A community whose grids cover less than this share of it leaves a gap worth looking at.
COVERAGE_TOLERANCE = 0.001


@register("areas.gaps", roles={Role.SYS_ADMIN}, order=30)
def communities_with_gaps(user, scope):
    """System administrator: communities (villages) whose grids do not cover them.

    Cheap: grids may not overlap (checked on every write), so the grids cover the whole
    community exactly when their areas add up to the community's. One aggregate query; the
    exact gap polygons are on the area's own check page.
    """
    from gridgov.areas.choices import Level
    from gridgov.areas.models import Area

    today = timezone.localdate()
    current = Q(children__valid_to__isnull=True) | Q(children__valid_to__gt=today)
    rows = list(
        Area.objects.restrict(user)
        .current()
        .filter(level=Level.COMMUNITY)
        .annotate(
            covered=Coalesce(
                Sum("children__area_m2", filter=current), 0.0, output_field=FloatField()
            ),
        )
        .filter(covered__lt=F("area_m2") * (1 - COVERAGE_TOLERANCE))
        .order_by("code")
        .values_list("code", "name", "area_m2", "covered")
    )
    yield WorkItem(
        key="areas.gaps",
        title=_("网格未覆盖全域的社区(村)"),
        count=len(rows),
        url=url_or_none("areas:list", "?level=community"),
        severity=WARN,
        note=_("网格应无缝覆盖所在社区(村);差额为未划入网格的面积。"),
        samples=[
            _("%(name)s(%(code)s):未覆盖 %(gap).1f 万平方米")
            % {"name": name, "code": code, "gap": (total - covered) / 10_000}
            for code, name, total, covered in rows[:SAMPLE_SIZE]
        ],
    )


@register("areas.unstaffed", roles={Role.GRID_CHIEF, Role.GRID_INSTRUCTOR}, order=40)
def grids_without_worker(user, scope):
    """Grid chief / instructor: grids of their community with no grid worker assigned."""
    from gridgov.areas.choices import Level
    from gridgov.areas.models import Area

    codes = scope.codes_for(roles=(Role.GRID_CHIEF, Role.GRID_INSTRUCTOR))
    rows = list(
        Area.objects.restrict(user)
        .current()
        .filter(scope.area_q("code", roles=(Role.GRID_CHIEF, Role.GRID_INSTRUCTOR)))
        .filter(level=Level.GRID)
        .annotate(workers=Count("assignments", filter=Q(assignments__role=Role.GRID_WORKER)))
        .filter(workers=0)
        .order_by("code")
        .values_list("code", "name")
    ) if codes else []
    yield WorkItem(
        key="areas.unstaffed",
        title=_("未配备网格员的网格"),
        count=len(rows),
        url=url_or_none("web:map"),
        severity=WARN,
        note=_("每个网格应至少配备一名专职网格员。"),
        samples=[f"{name}({code})" for code, name in rows[:SAMPLE_SIZE]],
    )
