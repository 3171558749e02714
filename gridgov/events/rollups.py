"""The statistics' rollup of events: additive counts per (day and community, or month and
street; major class; source), kept by database triggers in the same transaction as every
write to events.

``events_eventrollup`` holds, for each key, the measures of the events reported in it:

- ``grain`` ``d``: one local day (``day``); ``m``: one local month (``day`` is its first);
- ``area_code``: day rows: the community (the first 12 digits of the event's grid code);
  month rows: the street (9 digits; a month per community would hold about one event per
  key, no better than the events);
- ``major_id``: the major class of the event's minor class (0: not classified yet);
- ``source``; and the measures ``total``, ``due`` (all but 不予立案, 作废, 已合并),
  ``closed``, ``on_time`` (closed no later than the handling deadline) and ``hours_sum``
  (hours from report to closure of the closed events).

Every event row counts once per grain. The triggers (migration ``0015_rollup_triggers``, for
SQLite and PostgreSQL) move an event's contribution when it is inserted, deleted, or when
one of the columns the key or the measures read changes (``created_at``, ``area_code``,
``category_id``, ``source``, ``state``, ``closed_at``, ``handle_deadline``), and move all
events of a minor class when the class moves to another major class. So every writer keeps
it right, ``QuerySet.update`` and ``bulk_create`` included. ``rollup_sync`` recounts,
checks and rebuilds it. Whether a case is overdue changes with the clock: it is not here
(the statistics count it live from the few open events).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

DAY, MONTH = "d", "m"


class EventRollup(models.Model):
    """The measures of the events reported in one day or month, community, class, source."""

    grain = models.CharField(_("粒度"), max_length=1, choices=((DAY, _("日")), (MONTH, _("月"))))
    day = models.DateField(_("日期"))
    area_code = models.CharField(_("区域编码"), max_length=12)
    major_id = models.IntegerField(_("事件大类"), default=0)
    source = models.CharField(_("来源"), max_length=20)
    total = models.IntegerField(_("上报数"), default=0)
    due = models.IntegerField(_("应结案数"), default=0)
    closed = models.IntegerField(_("结案数"), default=0)
    on_time = models.IntegerField(_("按期结案数"), default=0)
    hours_sum = models.FloatField(_("办结时长合计(小时)"), default=0.0)

    class Meta:
        app_label = "events"
        verbose_name = _("事件统计汇总")
        verbose_name_plural = _("事件统计汇总")
        constraints = [
            models.UniqueConstraint(fields=["grain", "day", "area_code", "major_id", "source"],
                                    name="events_rollup_key"),
        ]

    def __str__(self):
        return f"{self.grain} {self.day} {self.area_code} {self.major_id} {self.source}"
