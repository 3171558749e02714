"""The event closed loop: category catalog, events, attachments, requests and the trace.

Scope (``Event.restrict_q``): the roles holding ``events.view`` in an area see its events
(grid roles their grids, command roles and leaders their area), department-bound roles the
events dispatched to their department (now or before); the three administrators lack the
permission and see none. Every change goes through ``gridgov.events.actions``.

The trace: each transition writes one audit record on the event's own chain
(``events.event:<pk>``) and one ``EventStep`` row pointing at it. The timeline is rendered
from the audit records (who, role, when, remark, attachment digests), so ``gridgov audit
verify`` detects tampering with any step; ``EventStep`` only indexes the steps for queries
(returns, rework, department history) and is checked against its record when shown.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data
from gridgov.core.querysets import NOTHING, RestrictedQuerySet

from . import deadlines
from .choices import (
    AttachmentKind,
    CategoryKind,
    DeadlineStatus,
    EventLevel,
    Nature,
    RequestKind,
    RequestStatus,
    Source,
    State,
    TimeUnit,
    Urgency,
)
from .open_cases import OPEN_CASE_INDEXES


class CatalogQuerySet(RestrictedQuerySet):
    pass


def _catalog_restrict_q(scope, action):
    # Every signed-in person reads the catalog (intake, dispatch, reports); only those who
    # maintain it (the system administrator by default) change it.
    if action == "change":
        return None if scope.can("events.manage_catalog") else NOTHING
    return None


class Platform(models.Model):
    """One of Zhejiang's four grassroots governance platforms (浙委办发〔2016〕69号)."""

    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    description = models.TextField(_("职责"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("基层治理平台")
        verbose_name_plural = _("基层治理平台")

    def __str__(self):
        return self.name

    restrict_q = classmethod(lambda cls, scope, action: _catalog_restrict_q(scope, action))


class MajorCategory(models.Model):
    """A major class of events (市容环境, 街面秩序, 矛盾纠纷 ...) under one platform."""

    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=40)
    platform = models.ForeignKey(
        Platform, verbose_name=_("所属平台"), on_delete=models.PROTECT, related_name="majors",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=CategoryKind.choices,
                            default=CategoryKind.URBAN)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("事件大类")
        verbose_name_plural = _("事件大类")

    def __str__(self):
        return self.name

    restrict_q = classmethod(lambda cls, scope, action: _catalog_restrict_q(scope, action))


class MinorCategory(models.Model):
    """A minor class of events with its default department and per-stage time limits.

    Register + dispatch limits are minutes by urgency; handling is ``handle_amount`` of
    ``handle_unit`` (working days, working hours, or plain hours/minutes for on-the-spot
    matters such as open-air barbecue); on-site verification is hours, urban or rural by the
    kind of the street the event lies in (street = urban, town/township = rural).
    """

    code = models.CharField(_("编码"), max_length=10, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    major = models.ForeignKey(
        MajorCategory, verbose_name=_("所属大类"), on_delete=models.PROTECT, related_name="minors",
    )
    default_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("默认责任部门"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    default_urgency = models.CharField(_("默认紧急程度"), max_length=10,
                                       choices=Urgency.choices, default=Urgency.NORMAL)
    dispatch_minutes_urgent = models.PositiveIntegerField(_("紧急受理派遣时限(分钟)"), default=10)
    dispatch_minutes_normal = models.PositiveIntegerField(_("一般受理派遣时限(分钟)"), default=30)
    handle_amount = models.PositiveIntegerField(_("处置时限"), default=1)
    handle_unit = models.CharField(_("处置时限单位"), max_length=16, choices=TimeUnit.choices,
                                   default=TimeUnit.WORKING_DAYS)
    verify_hours_urban = models.PositiveIntegerField(_("核查时限(城区,小时)"), default=1)
    verify_hours_rural = models.PositiveIntegerField(_("核查时限(农村,小时)"), default=2)
    filing_condition = models.TextField(_("立案条件"), blank=True)
    closing_condition = models.TextField(_("结案条件"), blank=True)
    duplicate_radius_m = models.PositiveIntegerField(_("疑似重复半径(米)"), default=50)
    duplicate_window_hours = models.PositiveIntegerField(_("疑似重复时间窗(小时)"), default=72)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("事件小类")
        verbose_name_plural = _("事件小类")

    def __str__(self):
        return f"{self.code} {self.name}"

    restrict_q = classmethod(lambda cls, scope, action: _catalog_restrict_q(scope, action))

    def handle_limit_display(self) -> str:
        return f"{self.handle_amount}{TimeUnit(self.handle_unit).label}"


class EvidenceRule(models.Model):
    """What a handler's completion (处置完毕, 自行处置) and the grid's verification (核查) must
    carry as evidence: a photo, and/or a place within ``radius_m`` metres of the event.

    One row per minor class, per major class, or the global default (both empty); the most
    specific row wins (``gridgov.events.evidence.rule_for``). Administrators holding
    ``events.manage_evidence`` edit them through ``actions.save_evidence_rule``.
    """

    category = models.OneToOneField(
        MinorCategory, verbose_name=_("事件小类"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="evidence_rule")
    major = models.OneToOneField(
        MajorCategory, verbose_name=_("事件大类"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="evidence_rule")
    # The global default row (neither class); at most one (the constraint below).
    is_global = models.BooleanField(_("全局默认"), default=False)
    complete_photo = models.BooleanField(_("处置完毕须上传照片"), default=True)
    complete_place = models.BooleanField(_("处置完毕须在现场定位"), default=False)
    verify_photo = models.BooleanField(_("核查须上传照片"), default=True)
    verify_place = models.BooleanField(_("核查须在现场定位"), default=False)
    radius_m = models.PositiveIntegerField(_("现场范围(米)"), default=200)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        ordering = ["major__code", "category__code"]
        verbose_name = _("取证规则")
        verbose_name_plural = _("取证规则")
        constraints = [
            # Exactly one of: a minor class, a major class, the global default.
            models.CheckConstraint(
                condition=(Q(category__isnull=False, major__isnull=True, is_global=False)
                           | Q(category__isnull=True, major__isnull=False, is_global=False)
                           | Q(category__isnull=True, major__isnull=True, is_global=True)),
                name="events_evidence_rule_one_scope"),
            models.UniqueConstraint(fields=["is_global"], condition=Q(is_global=True),
                                    name="events_evidence_rule_one_global"),
        ]

    def __str__(self):
        if self.category_id:
            return str(self.category)
        return self.major.name if self.major_id else str(_("全局默认"))

    @classmethod
    def restrict_q(cls, scope, action):
        # Everyone signed in reads the rules (the forms show them); their keepers change them.
        if action == "change":
            return None if scope.can("events.manage_evidence") else NOTHING
        return None


class EventQuerySet(RestrictedQuerySet):
    """Events, with the deadline rule of ``gridgov.events.deadlines`` as filters and marks."""

    def with_deadline_status(self, now=None):
        """Annotate ``deadline_status_value`` (none / on_time / due_soon / overdue) at ``now``.

        The same rule as ``Event.deadline_status()`` (``deadlines.status``), in SQL, so a
        list can show each row's mark without computing it again.
        """
        return self.annotate(
            deadline_status_value=deadlines.status_expression(now or timezone.now()))

    def overdue(self, now=None):
        """Events whose running stage is past its deadline."""
        return self.filter(deadlines.overdue_q(now or timezone.now()))

    def due_soon(self, now=None):
        """Events whose running stage is in its last fifth (at least its last 30 minutes)."""
        return self.filter(deadlines.due_soon_q(now or timezone.now()))


class Event(models.Model):
    """One reported problem (案件/事件) and where it stands in the closed loop.

    The point is stored in WGS-84; ``area_code`` is the grid's code, copied so scope is one
    indexed prefix test. ``version`` moves by one on every transition (optimistic
    concurrency: a transition with a stale version raises ``actions.Conflict``).
    """

    number = models.CharField(_("事件编号"), max_length=20, unique=True)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    nature = models.CharField(_("性质"), max_length=12, choices=Nature.choices,
                              default=Nature.REQUEST)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices,
                               default=Urgency.NORMAL)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.REPORTED, db_index=True)
    category = models.ForeignKey(
        MinorCategory, verbose_name=_("事件小类"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    description = models.TextField(_("问题描述"))
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "areas.Area", verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="events",
    )
    area_code = models.CharField(_("网格编码"), max_length=15, db_index=True)
    level = models.CharField(_("处置层级"), max_length=10, choices=EventLevel.choices,
                             default=EventLevel.COMMUNITY)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("责任部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="events",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处置人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="assigned_events",
    )
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上报人账号"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="reported_events",
    )
    reporter_name = models.CharField(_("上报人"), max_length=50, blank=True)
    # The reporter's phone is personal data: stored as an AES-GCM token (purpose "phone"),
    # its keyed lookup hash (the only thing an exact search compares) and its mask (what
    # lists and pages show). Read and set it through the ``reporter_phone`` property.
    reporter_phone_enc = models.TextField(_("联系电话(密文)"), blank=True, editable=False)
    reporter_phone_hash = models.CharField(max_length=64, blank=True, db_index=True,
                                           editable=False)
    reporter_phone_masked = models.CharField(_("联系电话"), max_length=20, blank=True,
                                             editable=False)
    camera_code = models.CharField(_("摄像机编码"), max_length=20, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, unique=True, null=True,
                                       blank=True)
    hold_reason = models.TextField(_("暂扣原因"), blank=True)
    # SHA-256 (hex) of the secret in the resident's private tracking link; the secret itself
    # is never stored, so a copy of the database does not reveal the links.
    public_token_hash = models.CharField(_("跟踪链接摘要"), max_length=64, blank=True,
                                         db_index=True)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="duplicates",
    )
    supervised = models.BooleanField(_("督办"), default=False)
    resolved_on_spot = models.BooleanField(_("自行处置"), default=False)
    stage_deadline = models.DateTimeField(_("当前环节时限"), null=True, blank=True,
                                          db_index=True)
    stage_started_at = models.DateTimeField(_("当前环节开始"), null=True, blank=True)
    handle_deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    deadline_note = models.CharField(_("时限说明"), max_length=200, blank=True)
    # The last deadline alert raised for the current stage ("", due_soon, overdue), so the
    # periodic scan alerts once per stage; reset by every transition that sets a deadline.
    deadline_alert = models.CharField(_("时限提醒"), max_length=10, blank=True)
    overdue_reason = models.TextField(_("超期说明"), blank=True)
    evaluation_score = models.PositiveSmallIntegerField(_("评价分"), null=True, blank=True)
    evaluation_comment = models.TextField(_("评价意见"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("上报时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # What the reporter's device said (the field terminal): when the worker saw the problem
    # (empty on events from before it was kept: read ``observed_at or created_at``), how
    # precise its position fix was, and whether the worker moved the point by hand (None: the
    # report came from no device that says; nullable also because SQLite cannot add a NOT
    # NULL column to this table without rebuilding it under its rollup triggers).
    observed_at = models.DateTimeField(_("发现时间"), null=True, blank=True)
    accuracy_m = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    position_corrected = models.BooleanField(_("位置已手动校正"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    # What ``personal_data.reveal`` may show, to whom (with a reason, audited): the people
    # who call reporters back.
    personal_fields = {
        "reporter_phone": personal_data.PersonalField("reporter_phone_enc", "phone",
                                                      _("联系电话")),
    }
    reveal_permission = "events.see_contact"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        # The open-case partial indexes and the API's state index: ``open_cases``.
        indexes = [models.Index(fields=["state", "stage_deadline"]), *OPEN_CASE_INDEXES]

    def __str__(self):
        return self.number

    @property
    def observed_apart(self) -> bool:
        """Whether the problem was seen more than 5 minutes away from its receipt (the case
        file then shows 发现时间 beside 上报时间)."""
        return bool(self.observed_at and abs(
            (self.created_at - self.observed_at).total_seconds()) > 300)

    @classmethod
    def restrict_q(cls, scope, action):
        # Area roles holding events.view (grid roles: their grids; command room and leaders:
        # their area), by the area code prefix; the three administrators lack it and see none.
        q = scope.area_q("area_code", "events.view", department_bound=False)
        # Department-bound roles (and department API keys): events dispatched to their
        # department, now or at any earlier step (a department that returned an event can
        # still read what it returned).
        if scope.department_can("events.view"):
            q |= _department_q(scope.department_id)
        # Anyone may follow (and evaluate) what they reported themselves.
        if scope.user_id:
            q |= Q(reporter_user_id=scope.user_id)
        return q

    # --- read-time deadline marks ----------------------------------------------------------

    def deadline_status(self, now=None) -> str:
        """none / on_time / due_soon / overdue for the current stage, computed now (the rule
        of ``deadlines.status``, which the queryset's filters and annotation share)."""
        return deadlines.status(self.state, self.stage_deadline, self.stage_started_at, now)

    @property
    def is_overdue(self) -> bool:
        return self.deadline_status() == DeadlineStatus.OVERDUE

    @property
    def is_due_soon(self) -> bool:
        return self.deadline_status() == DeadlineStatus.DUE_SOON

    @property
    def handle_overdue(self) -> bool:
        """Whether handling ran past its deadline (an explanation is due on completion)."""
        return bool(self.handle_deadline and timezone.now() > self.handle_deadline)

    @property
    def street_code(self) -> str:
        return self.area_code[:9]

    @property
    def community_code(self) -> str:
        return self.area_code[:12]

    @property
    def reporter_phone(self) -> str:
        """The reporter's phone in plain (decrypted): for the reporter themself, the SMS sent
        to them and an audited reveal, never for a page or a log (those use the mask)."""
        return personal_data.decrypt(self.reporter_phone_enc, "phone")

    @reporter_phone.setter
    def reporter_phone(self, value) -> None:
        for column, stored in personal_data.phone_columns(value, "reporter_phone").items():
            setattr(self, column, stored)

    @property
    def masked_phone(self) -> str:
        return self.reporter_phone_masked

    @staticmethod
    def reveal_chain_key(event) -> str:
        # Not the event's own chain: that one is its timeline, which everyone who sees the
        # event reads; who looked at the reporter's phone is for the audit administrator.
        return f"events.event.reveal:{event.pk}"


def _department_q(department_id) -> Q:
    return Q(department_id=department_id) | Q(Exists(
        EventStep.objects.filter(event=OuterRef("pk"), department_id=department_id)
    ))


def attachment_path(instance, filename):
    return f"events/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}-{filename}"


class EventAttachment(models.Model):
    """A photo, recording or video attached to an event at one step of its trace.

    ``step`` is the sequence number of the event's audit record that attached it; that record
    holds the file's SHA-256, so a swapped file is detectable. ``public`` copies have their
    location metadata stripped (intake does it before calling the action).
    """

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE,
                              related_name="attachments")
    kind = models.CharField(_("类型"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("文件名"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小(字节)"))
    public = models.BooleanField(_("公开"), default=False)
    step = models.PositiveIntegerField(_("环节序号"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["event", "id"]
        verbose_name = _("事件附件")
        verbose_name_plural = _("事件附件")

    def __str__(self):
        return self.name or self.sha256[:12]

    @classmethod
    def restrict_q(cls, scope, action):
        # Whoever may see the event may see its attachments.
        q = Event.restrict_q(scope, action)
        if q is None:
            return None
        return Q(event__in=Event.objects.filter(q).values("pk"))


class EventRequest(models.Model):
    """An extension (延期) or suspension (挂账) request on an event and its decision."""

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE,
                              related_name="requests")
    kind = models.CharField(_("类型"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING)
    days = models.PositiveSmallIntegerField(_("延期工作日"), null=True, blank=True)
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    from_state = models.CharField(_("申请时状态"), max_length=12, choices=State.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_remark = models.TextField(_("审批意见"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("事件申请")
        verbose_name_plural = _("事件申请")
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"],
                                    condition=Q(status="pending"),
                                    name="events_one_pending_request_per_kind"),
        ]

    def __str__(self):
        return f"{self.event_id} {self.get_kind_display()} {self.get_status_display()}"

    @classmethod
    def restrict_q(cls, scope, action):
        q = Event.restrict_q(scope, action)
        if q is None:
            return None
        return Q(event__in=Event.objects.filter(q).values("pk"))


class EventStep(models.Model):
    """One step of an event's trace, indexing the audit record that is its authority.

    The timeline shows the audit record (covered by the hash chain); these columns let
    queries count returns, rework and department history without reading the audit log.
    """

    event = models.ForeignKey(Event, verbose_name=_("事件"), on_delete=models.CASCADE,
                              related_name="steps")
    seq = models.PositiveIntegerField(_("序号"))
    action = models.CharField(_("动作"), max_length=30, db_index=True)
    from_state = models.CharField(_("原状态"), max_length=12, blank=True)
    to_state = models.CharField(_("新状态"), max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    audit_record = models.OneToOneField(
        "audit.AuditRecord", verbose_name=_("审计记录"), on_delete=models.DO_NOTHING,
        related_name="+", db_constraint=False,
    )
    at = models.DateTimeField(_("时间"))
    # For assessment and dashboards, without reading audit JSON: where the event was, the
    # deadline of the stage this step ended (the one in force before the step), and whether
    # the step came in time (None: the stage had no deadline).
    area_code = models.CharField(_("区域编码"), max_length=15, blank=True, db_index=True)
    stage_deadline = models.DateTimeField(_("环节时限"), null=True, blank=True)
    deadline_met = models.BooleanField(_("按时"), null=True, blank=True)
    # Where the device was when the step was taken (处置、核查 from the field terminal): the
    # point (WGS-84), the fix's accuracy and time, and the distance to the event's point.
    # Copied from the audit record's ``place*`` entries (``evidence.check``); null: no fix.
    place_lng = models.FloatField(_("定位经度"), null=True, blank=True)
    place_lat = models.FloatField(_("定位纬度"), null=True, blank=True)
    place_accuracy_m = models.PositiveIntegerField(_("定位精度(米)"), null=True, blank=True)
    place_at = models.DateTimeField(_("定位时间"), null=True, blank=True)
    place_distance_m = models.PositiveIntegerField(_("距事件(米)"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["event", "seq"]
        verbose_name = _("事件环节")
        verbose_name_plural = _("事件环节")
        constraints = [
            models.UniqueConstraint(fields=["event", "seq"], name="events_step_seq"),
        ]
        indexes = [models.Index(fields=["department", "event"])]

    def __str__(self):
        return f"{self.event_id}#{self.seq} {self.action}"

    @classmethod
    def restrict_q(cls, scope, action):
        q = Event.restrict_q(scope, action)
        if q is None:
            return None
        return Q(event__in=Event.objects.filter(q).values("pk"))


class SavedFilter(models.Model):
    """A search a person saved under a name (案件查询): the query string of the search page.

    Private to its owner: ``restrict_q`` keeps a person's own rows only, whatever their role.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("所有人"),
                              on_delete=models.CASCADE, related_name="saved_event_filters")
    name = models.CharField(_("名称"), max_length=40)
    query = models.CharField(_("查询条件"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("保存的查询")
        verbose_name_plural = _("保存的查询")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="events_savedfilter_name"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def restrict_q(cls, scope, action):
        return Q(owner_id=scope.user_id) if scope.user_id else NOTHING
from .rollups import EventRollup  # noqa: E402,F401  (the statistics rollup, kept by triggers)
