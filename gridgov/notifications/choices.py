"""What a notification is about."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DISPATCH = "dispatch", _("派遣")
    RETURN = "return", _("回退")
    DUE_SOON = "due_soon", _("即将到期")
    OVERDUE = "overdue", _("已超期")
    SUPERVISE = "supervise", _("督办")
    PROGRESS = "progress", _("办理进度")
    TO_VERIFY = "to_verify", _("待核查")
    OTHER = "other", _("其他")


# Kinds that also go out by SMS: a person must act on them even when not signed in.
SMS_KINDS = frozenset({Kind.DISPATCH, Kind.RETURN, Kind.DUE_SOON, Kind.OVERDUE,
                       Kind.SUPERVISE, Kind.PROGRESS, Kind.TO_VERIFY})

# Kinds that raise an alert on screen (a toast, optionally a beep) for whoever holds the case:
# the case is late, a leader pressed it, or it came back to them (issue 11 item 5).
ALERT_KINDS = frozenset({Kind.OVERDUE, Kind.SUPERVISE, Kind.RETURN})
# The toast's colour: an overdue case is an emergency, the others ask for attention.
ALERT_LEVELS = {Kind.OVERDUE: "danger", Kind.SUPERVISE: "warn", Kind.RETURN: "warn"}
