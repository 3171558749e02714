"""In-app notifications: one row per person and message."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from .choices import Kind


class NotificationQuerySet(RestrictedQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one person (dispatch, return, due soon, overdue, supervision, progress).

    ``dedupe_key`` keeps periodic jobs from telling the same person the same thing twice
    (for example "overdue" once per event and deadline).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    event = models.ForeignKey(
        "events.Event", verbose_name=_("事件"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="notifications",
    )
    text = models.CharField(_("内容"), max_length=500)
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notif_user_read")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""),
                name="notif_unique_dedupe",
            ),
        ]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:40]}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @classmethod
    def restrict_q(cls, scope, action):
        # A notification is personal: only its recipient sees or marks it, whatever their
        # role and permissions (administrators and leaders included); a principal without a
        # user (an API client) has no inbox.
        if not scope.user_id:
            return NOTHING
        return Q(user_id=scope.user_id)
