"""Models shared by every app: the administrator-maintained working-day calendar."""

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """One day of China's official calendar as an administrator recorded it.

    ``chinese-calendar`` knows the State Council's holiday arrangements for the years it was
    released with; rows here override it (a late change) and extend it beyond its last year
    (the arrangement for a new year is published each November). See
    ``gridgov.core.workdays``.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_workday else '休息日'}"


@receiver([post_save, post_delete], sender=CalendarDay)
def _calendar_changed(sender, **kwargs):
    from . import workdays

    workdays.invalidate()
