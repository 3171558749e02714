"""The notifications' place in the page shell: a menu entry and the unread count on 首页."""

from django.utils.translation import gettext_lazy as _

from gridgov.web import menus, worklist

from .models import Notification

SAMPLE_SIZE = worklist.SAMPLE_SIZE


def unread_notifications(user, scope):
    """Everyone: unread notifications (the bell), with the newest few. Two queries."""
    if scope is None or not scope.user_id:
        return
    unread = Notification.objects.restrict(user).unread()
    count = unread.count()
    samples = list(unread.values_list("text", flat=True)[:SAMPLE_SIZE]) if count else []
    yield worklist.WorkItem(
        key="notifications.unread",
        title=_("未读通知"),
        count=count,
        url=worklist.url_or_none("notifications:list", "?unread=true"),
        severity=worklist.INFO,
        note=_("派遣、回退、督办、即将到期和超期的提醒。"),
        samples=samples,
    )


def register():
    menus.register(menus.MenuItem("notifications", _("我的通知"), ("notifications:list",),
                                  order=150))
    worklist.register("notifications.unread", order=5)(unread_notifications)
