"""Party organisations (党组织) in a tree tied to areas, their members (党员), posts and terms.

- ``PartyOrganisation``: 街道党工委 → 社区党委 / 党总支 → 网格党支部 / 党小组, each tied to one
  area (``area_code`` copied from it, so scope is one indexed prefix test), with its current
  term (``term_started_on`` / ``term_ends_on``: 换届 is due at the term's end).
- ``PartyTerm``: the history of terms, one row per 换届 recorded.
- ``PartyPost``: a member's post in the organisation's committee (书记, 委员, 组长 ...), with
  when it started and ended; the current secretary is the open 书记 post.
- ``PartyMember``: a person of the basic data (``basedata.Person``; no second copy of personal
  data) who is a member of one organisation; ``area_code`` is the organisation's (kept by the
  actions), and an in-service member (在职党员) may be checked in (双报到) to the party
  organisation of their home community (``checked_in_to``).
- ``PartyTransfer``: a transfer of a member's organisation relation (组织关系转接), to another
  organisation in the system (pending until its secretary accepts) or out of the system.

Scope: rows are inside the areas where the principal holds ``party.view`` (read) or
``party.manage`` (write); a member checked in to an organisation of those areas is visible too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core.querysets import CHANGE, RestrictedQuerySet

from .choices import MemberKind, MemberStatus, OrgKind, PostKind, TransferKind, TransferStatus
from .permissions import MANAGE, VIEW


def _perm(action):
    return MANAGE if action == CHANGE else VIEW


class PartyOrganisation(models.Model):
    """A party organisation (党组织) of one area, placed in the tree under its parent, with its
    current term (换届 is due on ``term_ends_on``)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级党组织"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    area = models.ForeignKey("areas.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT,
                             related_name="+")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    term_started_on = models.DateField(_("本届开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("换届日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["area_code", "kind", "name", "pk"]
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [models.Index(fields=["term_ends_on"], condition=Q(is_active=True),
                                name="party_org_term_due")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.area_id and not self.area_code:
            self.area_code = self.area.code
        super().save(*args, **kwargs)

    @classmethod
    def restrict_q(cls, scope, action):
        return scope.area_q("area_code", _perm(action))

    def term_due_in(self, today=None) -> int | None:
        """Days until 换届 is due (negative: overdue); ``None`` without a term end."""
        if self.term_ends_on is None:
            return None
        return (self.term_ends_on - (today or timezone.localdate())).days


class PartyTerm(models.Model):
    """One term of an organisation (换届 recorded): when it started and when it ends."""

    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("党组织"),
                                     on_delete=models.CASCADE, related_name="terms")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True, editable=False)
    started_on = models.DateField(_("本届开始"))
    ends_on = models.DateField(_("届满日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-started_on", "-pk"]
        verbose_name = _("党组织换届")
        verbose_name_plural = _("党组织换届")

    def __str__(self):
        return f"{self.organisation_id} {self.started_on}–{self.ends_on}"

    @classmethod
    def restrict_q(cls, scope, action):
        return scope.area_q("area_code", _perm(action))


class PartyMember(models.Model):
    """A party member (党员): a basic-data person in one organisation (personal data stays on
    the person), with kind, joining date, status and, for in-service members (在职党员), the
    community organisation they checked in to (双报到)."""

    person = models.ForeignKey("basedata.Person", verbose_name=_("人员"),
                               on_delete=models.PROTECT, related_name="party_memberships")
    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("所在党组织"),
                                     on_delete=models.PROTECT, related_name="members")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), null=True,
                             blank=True, on_delete=models.SET_NULL,
                             related_name="party_memberships")
    kind = models.CharField(_("党员类别"), max_length=16, choices=MemberKind.choices,
                            default=MemberKind.FULL)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MemberStatus.choices,
                              default=MemberStatus.ACTIVE, db_index=True)
    in_service = models.BooleanField(_("在职党员"), default=False)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    checked_in_to = models.ForeignKey(PartyOrganisation, verbose_name=_("报到党组织"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="checked_in_members")
    checked_in_on = models.DateField(_("报到日期"), null=True, blank=True)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["area_code", "organisation", "pk"]
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [models.UniqueConstraint(
            fields=["person"], condition=Q(status="active"), name="party_member_active_once")]

    def __str__(self):
        return f"{self.person_id} @ {self.organisation_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        q = scope.area_q("area_code", _perm(action))
        if action != CHANGE:
            q |= scope.area_q("checked_in_to__area_code", VIEW)
        return q


class PartyPost(models.Model):
    """A member's post (书记, 副书记, 委员, 组长 ...) in an organisation, from ``started_on``
    until ``ended_on`` (open: current)."""

    organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("党组织"),
                                     on_delete=models.CASCADE, related_name="posts")
    member = models.ForeignKey(PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="posts")
    area_code = models.CharField(_("区域编码"), max_length=15, db_index=True, editable=False)
    post = models.CharField(_("职务"), max_length=20, choices=PostKind.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "post", "started_on", "pk"]
        verbose_name = _("党组织职务")
        verbose_name_plural = _("党组织职务")
        constraints = [models.UniqueConstraint(
            fields=["organisation"], condition=Q(post="secretary", ended_on__isnull=True),
            name="party_one_secretary")]

    def __str__(self):
        return f"{self.organisation_id} {self.post} {self.member_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        return scope.area_q("area_code", _perm(action))


class PartyTransfer(models.Model):
    """A transfer of a member's organisation relation (组织关系转接): to another organisation in
    the system (pending until that organisation's secretary accepts it) or out of the system
    (destination text; the member leaves the roll at once)."""

    member = models.ForeignKey(PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT,
                               related_name="transfers")
    kind = models.CharField(_("转接方式"), max_length=10, choices=TransferKind.choices)
    from_organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("转出党组织"),
                                          on_delete=models.PROTECT, related_name="+")
    from_area_code = models.CharField(_("转出区域"), max_length=15, db_index=True)
    to_organisation = models.ForeignKey(PartyOrganisation, verbose_name=_("接收党组织"),
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    to_area_code = models.CharField(_("接收区域"), max_length=15, blank=True, db_index=True)
    destination = models.CharField(_("转往单位"), max_length=200, blank=True)
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=TransferStatus.choices,
                              default=TransferStatus.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"),
                                     null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        constraints = [models.UniqueConstraint(
            fields=["member"], condition=Q(status="pending"), name="party_one_pending_transfer")]

    def __str__(self):
        return f"{self.member_id}: {self.from_organisation_id} → {self.to_organisation_id}"

    @classmethod
    def restrict_q(cls, scope, action):
        """Both ends see a transfer; the receiving end decides (``change``) a pending one,
        the sending end may cancel it (checked by the actions)."""
        perm = _perm(action)
        return scope.area_q("from_area_code", perm) | scope.area_q("to_area_code", perm)
