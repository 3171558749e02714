"""The time a device says something happened (a visit, a contact), checked the same way
everywhere the field terminal sends one: the phone may be offline for days, but its clock
may not claim the future, and a week-old record is too late to enter as a device's own."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# A phone's clock a little fast is normal; minutes more is a wrong clock or a made-up time.
FUTURE_SLACK = dt.timedelta(minutes=5)
# The outbox keeps records for a week offline; older ones are entered by hand, not synced.
MAX_AGE = dt.timedelta(days=7)


def check_device_time(value, *, field: str, label: str, now=None) -> dt.datetime:
    """``value`` (aware, or naive local time) if it lies between ``MAX_AGE`` ago and
    ``FUTURE_SLACK`` ahead of ``now``; ``now`` when it is None. ``label`` names the time in
    the error (走访时间, 联系时间), which is raised under ``field``."""
    now = now or timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + FUTURE_SLACK:
        raise ValidationError({field: _("%(label)s不能晚于当前时间(允许误差 5 分钟)。")
                               % {"label": label}})
    if value < now - MAX_AGE:
        raise ValidationError({field: _("%(label)s不能早于 7 天前。") % {"label": label}})
    return value
