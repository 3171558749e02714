"""What the audit app adds to the page shell: its menu entry and its waiting work.

Registered from ``AuditConfig.ready()`` (the convention of ``gridgov.web.menus`` and
``gridgov.web.worklist``).
"""

import datetime as dt

from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.web.menus import MenuItem
from gridgov.web.menus import register as register_menu
from gridgov.web.worklist import INFO, SAMPLE_SIZE, WARN, WorkItem, url_or_none
from gridgov.web.worklist import register as register_work

from .anchor import chain_start, day_bounds, local_tz
from .models import AuditRecord

# The audit action names a chain verification is recorded under.
VERIFY_ACTIONS = ("audit.verify",)


def closed_days_without_anchor(today):
    """Closed days (before ``today``, local time) with audit records and no anchor yet.

    The same rule as ``audit.anchor.anchor_closed_days``: only days after the last seal (or
    purge mark). One query: the distinct local days of those records, grouped by the database.
    """
    tz = local_tz()
    floor_day, _unused = chain_start()
    records = AuditRecord.objects.filter(at__lt=day_bounds(today, tz)[0])
    if floor_day is not None:
        records = records.filter(at__gte=day_bounds(floor_day, tz)[1])
    days = sorted(
        records.annotate(day=TruncDate("at", tzinfo=tz)).values_list("day", flat=True).distinct()
    )
    return days, floor_day


def unanchored_days(user, scope):
    """Closed days whose records are not sealed by an anchor yet."""
    today = timezone.localdate()
    days, last_anchor = closed_days_without_anchor(today)
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


def last_verify(user, scope):
    """When the chain was last verified (a reminder after a day)."""
    last = (
        AuditRecord.objects.filter(action__in=VERIFY_ACTIONS)
        .order_by("-at")
        .values_list("at", "remark")
        .first()
    )
    if last is not None and timezone.now() - last[0] < dt.timedelta(days=1):
        return
    if last is None:
        note = _("日志链尚未校验过;请在审计页面校验(或由运维人员在服务器上运行校验命令)。")
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


def register() -> None:
    """The audit log's menu entry and reminders, for whoever holds the audit permissions."""
    register_menu(MenuItem("audit", _("审计日志"), ("audit:records",),
                           permission="audit.view_log", order=90))
    register_work("audit.unanchored", permission="audit.verify_chain", order=10)(
        unanchored_days)
    register_work("audit.verify", permission="audit.verify_chain", order=20)(last_verify)
