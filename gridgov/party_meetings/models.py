"""三会一课 and 主题党日: the meetings of the party organisations, who attended, the photos,
and how often each kind of meeting is required.

- ``Meeting``: one meeting of one organisation (支部党员大会, 支委会, 党小组会, 党课, 主题党日):
  planned with a notice and an agenda, then recorded (held, minutes) or cancelled.
- ``MeetingAttendance``: one member on a meeting's sign-in sheet (到会 / 请假 / 缺席), signed
  in by themselves on the field terminal or ticked by the secretary.
- ``MeetingPhoto``: a photo of a held meeting (private media, served to who may see it).
- ``MeetingRequirement``: a kind of meeting is required every N months of the organisations
  of one org kind (the default, ``organisation`` empty) or of one organisation (an
  exception). Data, edited by the administrator; the defaults come from a data migration.

Scope: a meeting carries its organisation's area code (``area_code``), so ``restrict`` keeps
the meetings inside the areas where the principal holds ``party_meetings.view`` (read) or
``party_meetings.manage`` (write); a member with an account also reads the meetings of their
own organisation (to sign in).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.models import PrivateFile
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet
from gridgov.party.choices import OrgKind

from .choices import AttendanceStatus, MeetingKind, MeetingState, SignInWay
from .permissions import MANAGE, MANAGE_REQUIREMENTS, SIGN_IN, VIEW


def _meetings_q(scope, action, prefix=""):
    if action == CHANGE:
        return scope.area_q(f"{prefix}area_code", MANAGE)
    q = scope.area_q(f"{prefix}area_code", VIEW)
    if scope.user_id and scope.can(SIGN_IN):
        from gridgov.party.models import PartyMember

        own = (PartyMember.objects.filter(user_id=scope.user_id, status="active")
               .values("organisation_id"))
        q |= Q(**{f"{prefix}organisation_id__in": own})
    return q


class Meeting(models.Model):
    """One meeting of a party organisation: its notice and agenda when planned, the time it
    was held and its minutes when recorded, or its cancellation."""

    organisation = models.ForeignKey("party.PartyOrganisation", verbose_name=_("党组织"),
                                     on_delete=models.PROTECT, related_name="meetings")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True)
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("会议主题"), max_length=120)
    planned_at = models.DateTimeField(_("计划时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    notice = models.TextField(_("会议通知"), blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    notice_sent_at = models.DateTimeField(_("通知发送时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=MeetingState.choices,
                             default=MeetingState.PLANNED)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_at", "-pk"]
        verbose_name = _("组织生活会议")
        verbose_name_plural = _("组织生活会议")
        # The overdue list: the last held meeting per (organisation, kind) is one index scan.
        indexes = [models.Index(fields=["organisation", "kind", "-held_at"],
                                condition=Q(state="held"), name="party_meeting_last_held")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.title}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _meetings_q(scope, action)


class MeetingAttendance(models.Model):
    """One member on a meeting's sign-in sheet: 到会 (signed in by themselves or ticked by the
    secretary), 请假 with the reason, or 缺席."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE,
                                related_name="attendance")
    member = models.ForeignKey("party.PartyMember", verbose_name=_("党员"),
                               on_delete=models.PROTECT, related_name="meeting_attendance")
    status = models.CharField(_("出席情况"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("请假原因"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    way = models.CharField(_("签到方式"), max_length=16, choices=SignInWay.choices, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("会议签到")
        verbose_name_plural = _("会议签到")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"],
                                               name="party_meeting_attend_once")]

    def __str__(self):
        return f"{self.meeting_id} · {self.member_id} · {self.status}"

    @classmethod
    def restrict_q(cls, scope, action):
        return _meetings_q(scope, action, prefix="meeting__")


class MeetingPhoto(PrivateFile):
    """A photo of a held meeting (private: served only to who may see the meeting)."""

    FILE_DIR = "party_meetings"

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE,
                                related_name="photos")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "pk"]
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")

    @classmethod
    def restrict_q(cls, scope, action):
        return _meetings_q(scope, action, prefix="meeting__")


class MeetingRequirement(models.Model):
    """A kind of meeting is required every ``every_months`` months of the organisations of
    ``org_kind`` (``organisation`` empty: the default) or of one organisation (its own
    frequency, which wins over the default). Inactive rows require nothing."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    org_kind = models.CharField(_("党组织类型"), max_length=20, choices=OrgKind.choices)
    every_months = models.PositiveSmallIntegerField(_("频次(每几个月一次)"))
    organisation = models.ForeignKey("party.PartyOrganisation", verbose_name=_("适用党组织"),
                                     null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="meeting_requirements")
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["org_kind", "kind", "organisation_id", "pk"]
        verbose_name = _("三会一课频次要求")
        verbose_name_plural = _("三会一课频次要求")
        constraints = [
            models.UniqueConstraint(fields=["kind", "org_kind"],
                                    condition=Q(organisation__isnull=True),
                                    name="party_meeting_req_default_once"),
            models.UniqueConstraint(fields=["kind", "organisation"],
                                    condition=Q(organisation__isnull=False),
                                    name="party_meeting_req_org_once"),
        ]

    def __str__(self):
        return f"{self.get_org_kind_display()} · {self.get_kind_display()} · {self.every_months}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return None if scope.can(MANAGE_REQUIREMENTS) else NOTHING
        return None if scope.can(VIEW, MANAGE, MANAGE_REQUIREMENTS) else NOTHING
