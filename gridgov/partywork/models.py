"""党员联系户 (members linked to households), their contacts, and volunteer service.

- ``ContactLink``: one party member linked to one household (named by its head, a
  ``basedata.Person``) from ``since`` until ``until``; a member links several households,
  a household has at most one active link (a partial unique constraint).
- ``ContactLog``: one contact of the member with the household (上门 / 电话 / 微信 / 其他),
  with the device's time, notes and the needs noted (the visits' vocabulary).
- ``VolunteerActivity``: a volunteer activity organised by a party organisation, with a
  capacity; ``VolunteerSignup``: a member's sign-up and the service hours the organiser
  credited after the activity.

Scope: links and contacts carry the household's grid code (``area_code``), activities their
organisation's area code, sign-ups the member's area code; ``restrict`` keeps the rows inside
the areas where the principal holds ``partywork.view`` (read) or ``partywork.manage``
(write), and a party member's own rows (their links, contacts and sign-ups).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, RestrictedQuerySet

from .choices import ActivityState, ContactWay, SignupStatus
from .permissions import CONTACT, MANAGE, VIEW, VOLUNTEER

CODE_LENGTHS = (6, 9, 12, 15)


def _own(scope, perm, field):
    """The principal's own rows (a party member with an account), when they hold ``perm``."""
    if scope.user_id and scope.can(perm):
        return Q(**{field: scope.user_id})
    return None


def _with_own(q, own):
    return q | own if own is not None else q


class ContactLink(models.Model):
    """One party member linked to one household (党员联系户), named by the household's head.

    ``area_code`` is the household's grid; ``last_contact_at`` the latest contact logged on
    the link (kept by the actions, so "no contact in 90 days" is one indexed query)."""

    member = models.ForeignKey("party.PartyMember", verbose_name=_("党员"),
                               on_delete=models.PROTECT, related_name="contact_links")
    household_head = models.ForeignKey("basedata.Person", verbose_name=_("联系户(户主)"),
                                       on_delete=models.PROTECT,
                                       related_name="party_contact_links")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    since = models.DateField(_("联系起始日期"), default=timezone.localdate)
    until = models.DateField(_("联系终止日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    last_contact_at = models.DateTimeField(_("最近联系"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建立人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["area_code", "member", "pk"]
        verbose_name = _("党员联系户")
        verbose_name_plural = _("党员联系户")
        constraints = [models.UniqueConstraint(
            fields=["household_head"], condition=Q(is_active=True),
            name="partywork_one_active_link")]
        indexes = [models.Index(fields=["area_code", "last_contact_at"],
                                condition=Q(is_active=True), name="partywork_link_due")]

    def __str__(self):
        return f"{self.member_id} → {self.household_head_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        perm = MANAGE if action == CHANGE else VIEW
        return _with_own(scope.area_q("area_code", perm),
                         _own(scope, CONTACT, "member__user_id"))


class ContactLog(models.Model):
    """One contact of a member with a linked household: when (the device's time), how,
    what was found and which needs were noted. ``client_id``: the outbox's id (one log per
    id)."""

    link = models.ForeignKey(ContactLink, verbose_name=_("联系户"), on_delete=models.PROTECT,
                             related_name="logs")
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    contacted_at = models.DateTimeField(_("联系时间"))
    way = models.CharField(_("联系方式"), max_length=8, choices=ContactWay.choices,
                           default=ContactWay.VISIT)
    notes = models.TextField(_("联系情况"), blank=True)
    needs = models.JSONField(_("需求"), default=list, blank=True)
    needs_note = models.CharField(_("其他需求"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    client_id = models.UUIDField(_("客户端编号"), null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-contacted_at", "-pk"]
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        indexes = [models.Index(fields=["area_code", "contacted_at"],
                                name="partywork_log_area_time")]

    def __str__(self):
        return f"{self.link_id} {self.contacted_at:%Y-%m-%d}"

    @classmethod
    def restrict_q(cls, scope, action):
        perm = MANAGE if action == CHANGE else VIEW
        return _with_own(scope.area_q("area_code", perm),
                         _own(scope, CONTACT, "link__member__user_id"))

    def need_labels(self) -> list[str]:
        from gridgov.visits.choices import Need

        return [str(Need(n).label) for n in self.needs if n in Need.values]


class VolunteerActivity(models.Model):
    """A volunteer activity (志愿服务活动) of a party organisation: when, where, how many
    places (``capacity``; empty: no limit), and its state."""

    organisation = models.ForeignKey("party.PartyOrganisation", verbose_name=_("组织单位"),
                                     on_delete=models.PROTECT,
                                     related_name="volunteer_activities")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True)
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("活动地点"), max_length=200)
    capacity = models.PositiveSmallIntegerField(_("名额"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=ActivityState.choices,
                             default=ActivityState.OPEN, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")

    def __str__(self):
        return self.title

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            return scope.area_q("area_code", MANAGE)
        q = scope.area_q("area_code", VIEW)
        # A member sees the activities of their grid and of the areas above it (the
        # community's, the street's), where members of several grids serve together.
        codes = scope.codes_for(VOLUNTEER)
        if codes:
            above = {code[:n] for code in codes for n in CODE_LENGTHS if n <= len(code)}
            q |= Q(area_code__in=above) | scope.area_q("area_code", VOLUNTEER)
        return q


class VolunteerSignup(models.Model):
    """A member's sign-up for an activity, and the service hours credited afterwards by the
    organiser (``hours``; ``status`` attended / absent once credited). ``area_code`` is the
    member's (their organisation's) area: hours count where the member belongs."""

    activity = models.ForeignKey(VolunteerActivity, verbose_name=_("活动"),
                                 on_delete=models.PROTECT, related_name="signups")
    member = models.ForeignKey("party.PartyMember", verbose_name=_("党员"),
                               on_delete=models.PROTECT, related_name="volunteer_signups")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True)
    signed_up_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    status = models.CharField(_("状态"), max_length=10, choices=SignupStatus.choices,
                              default=SignupStatus.SIGNED_UP)
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=5, decimal_places=1,
                                default=0)
    credited_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    credited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认定人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "signed_up_at", "pk"]
        verbose_name = _("志愿服务报名")
        verbose_name_plural = _("志愿服务报名")
        constraints = [models.UniqueConstraint(fields=["activity", "member"],
                                               name="partywork_signup_once")]

    def __str__(self):
        return f"{self.activity_id} · {self.member_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        if action == CHANGE:
            q = scope.area_q("activity__area_code", MANAGE)
        else:
            q = scope.area_q("area_code", VIEW) | scope.area_q("activity__area_code", VIEW)
        return _with_own(q, _own(scope, VOLUNTEER, "member__user_id"))
