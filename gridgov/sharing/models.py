"""The data resource centre: the catalog, share requests, grants and exchange evidence."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.core import personal_data
from gridgov.core.querysets import CHANGE, NOTHING, RestrictedQuerySet

from .choices import (
    DEFAULT_COORDINATING_DEPARTMENT,
    BaseLibrary,
    ExchangeChannel,
    FieldType,
    Masking,
    OpenAttribute,
    RequestStatus,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from .permissions import ANSWER, AUDIT_EXCHANGES, COORDINATE, PUBLISH, REQUEST, VIEW_EXCHANGES


def labelled_fields(resource, names, masking=None) -> list[dict]:
    """``names`` of ``resource``'s fields as pages show them: the Chinese label (the name when
    the field is gone), the name, and whether ``masking`` masks it. Reads
    ``resource.fields.all()``, so a list page prefetches ``resource__fields``."""
    labels = {f.name: f.label for f in resource.fields.all()}
    masking = masking or {}
    return [{"name": n, "label": labels.get(n, n), "masked": masking.get(n) == Masking.MASKED}
            for n in names]


def coordinating_department_code() -> str:
    """The code of the department that settles disputes over share requests."""
    return getattr(settings, "GRIDGOV_COORDINATING_DEPARTMENT", DEFAULT_COORDINATING_DEPARTMENT)


def _department_q(scope, clauses) -> Q:
    """OR of the clauses (permission → Q) whose permission the principal holds for its
    department's work; nothing when it holds none."""
    q = NOTHING
    for perm, clause in clauses:
        if scope.department_can(perm):
            q = clause if q is NOTHING else q | clause
    return q


class ResourceQuerySet(RestrictedQuerySet):
    def published(self):
        return self.filter(is_published=True)


class Resource(models.Model):
    """One catalog entry: a data resource a department provides, with the metadata of the
    2017 catalog guide (classification, sharing class, update cycle, fields ...).

    Its rows come either from a built-in source of the platform (``builtin_key``, see
    ``registry.py``: people, houses, organisations) or from ``ResourceRow`` uploads.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    table_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("资源代码"), max_length=60, unique=True)
    name = models.CharField(_("资源名称"), max_length=200)
    # Classification: 类 (1 digit) / 项 (2) / 目 (3) / 细目 (free, up to 6).
    category = models.CharField(_("类"), max_length=1)
    item = models.CharField(_("项"), max_length=2)
    catalog = models.CharField(_("目"), max_length=3)
    subcatalog = models.CharField(_("细目"), max_length=6, blank=True)
    provider = models.ForeignKey(
        "accounts.Department", verbose_name=_("提供部门"), on_delete=models.PROTECT,
        related_name="provided_resources",
    )
    abstract = models.TextField(_("摘要"))
    format = models.CharField(_("格式"), max_length=20, choices=ResourceFormat.choices)
    update_cycle = models.CharField(_("更新周期"), max_length=20, choices=UpdateCycle.choices)
    sharing_type = models.CharField(
        _("共享类型"), max_length=20, choices=SharingType.choices, db_index=True
    )
    sharing_condition = models.TextField(_("共享条件"), blank=True)
    legal_basis = models.TextField(_("不予共享依据"), blank=True)
    sharing_method = models.CharField(_("共享方式"), max_length=20, choices=SharingMethod.choices)
    open_attribute = models.CharField(
        _("开放属性"), max_length=20, choices=OpenAttribute.choices, default=OpenAttribute.CLOSED
    )
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    related_codes = models.JSONField(_("关联资源代码"), default=list, blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    groups = models.JSONField(_("基础库"), default=list, blank=True)
    builtin_key = models.CharField(_("内置数据源"), max_length=60, blank=True)
    is_published = models.BooleanField(_("已发布"), default=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据资源")
        verbose_name_plural = _("数据资源")

    def __str__(self):
        return f"{self.name}({self.code})"

    @property
    def classification(self) -> str:
        """类-项-目-细目, e.g. 1-01-001."""
        parts = [self.category, self.item, self.catalog]
        if self.subcatalog:
            parts.append(self.subcatalog)
        return "-".join(parts)

    @property
    def group_labels(self) -> list[str]:
        """The base libraries by name (人口, 法人 ...), not by key."""
        names = dict(BaseLibrary.choices)
        return [str(names.get(g, g)) for g in self.groups or ()]

    @classmethod
    def restrict_q(cls, scope, action):
        # The catalog (metadata, never rows) is for everyone who works in the district:
        # knowing what exists is how sharing starts. Only the provider's data officer or
        # department administrator changes an entry; administrators ("三员") change none.
        if action == CHANGE:
            return _department_q(scope, [(PUBLISH, Q(provider_id=scope.department_id))])
        if scope.department_id is not None:
            # A provider still sees its own withdrawn entries.
            return Q(is_published=True) | Q(provider_id=scope.department_id)
        return Q(is_published=True)


class ResourceField(models.Model):
    """One data item of a resource: its name, label, data type and whether it is personal or
    otherwise sensitive (masked by default when granted)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(_("字段名"), max_length=60)
    label = models.CharField(_("中文名"), max_length=100)
    type = models.CharField(_("数据类型"), max_length=20, choices=FieldType.choices)
    sensitive = models.BooleanField(_("敏感"), default=False)

    class Meta:
        ordering = ["resource_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "name"], name="unique_resource_field"),
        ]
        verbose_name = _("数据项")
        verbose_name_plural = _("数据项")

    def __str__(self):
        return f"{self.label}({self.name})"


class ResourceRow(models.Model):
    """One row of a department-published resource (uploaded as CSV), as JSON keyed by field
    name. ``(resource, updated_at, id)`` is the keyset of the exchange API."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rows")
    data = models.JSONField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["resource_id", "updated_at", "id"]
        indexes = [
            models.Index(fields=["resource", "updated_at", "id"], name="sharing_row_keyset"),
        ]
        verbose_name = _("资源数据行")
        verbose_name_plural = _("资源数据行")


def _request_q(scope):
    """Requests a department's staff take part in: as consumer, as provider, or as the
    coordinating department once disputed."""
    dept = scope.department_id
    return _department_q(scope, [
        (REQUEST, Q(consumer_id=dept) | Q(resource__provider_id=dept) | Q(coordinator_id=dept)),
        (ANSWER, Q(resource__provider_id=dept)),
        (COORDINATE, Q(coordinator_id=dept)),
    ])


class ShareRequestQuerySet(RestrictedQuerySet):
    def overdue(self, now=None):
        now = now or timezone.now()
        return self.filter(status=RequestStatus.PENDING, answer_deadline__lt=now)


class ShareRequest(models.Model):
    """A consumer department's application for a conditional resource: purpose, fields,
    the provider's answer (due within 10 working days) and, if disputed, the coordinating
    department's decision."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="requests")
    consumer = models.ForeignKey(
        "accounts.Department", verbose_name=_("申请部门"), on_delete=models.PROTECT,
        related_name="share_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.TextField(_("用途"))
    fields = models.JSONField(_("申请字段"), default=list)
    status = models.CharField(
        _("状态"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    answer_deadline = models.DateTimeField(_("答复期限"), null=True, blank=True)
    deadline_note = models.CharField(_("期限说明"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    refusal_reason = models.TextField(_("拒绝理由"), blank=True)
    dispute_reason = models.TextField(_("异议理由"), blank=True)
    disputed_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    coordinator = models.ForeignKey(
        "accounts.Department", verbose_name=_("协调部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="coordinated_requests",
    )
    resolution = models.TextField(_("协调意见"), blank=True)
    resolved_at = models.DateTimeField(_("协调时间"), null=True, blank=True)

    objects = ShareRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("共享申请")
        verbose_name_plural = _("共享申请")

    def __str__(self):
        return f"{self.consumer} → {self.resource}"

    @property
    def is_overdue(self) -> bool:
        """Pending past its answer deadline (computed at read time)."""
        return (
            self.status == RequestStatus.PENDING
            and self.answer_deadline is not None
            and timezone.now() > self.answer_deadline
        )

    @property
    def field_items(self) -> list[dict]:
        """The requested fields with their labels (``labelled_fields``)."""
        return labelled_fields(self.resource, self.fields)

    @classmethod
    def restrict_q(cls, scope, action):
        # Department staff of the consumer, of the provider and of the coordinating
        # department (for the requests put to it); nobody else, administrators included.
        return _request_q(scope)


class GrantQuerySet(RestrictedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


# A field whose value another field spells out is masked whenever that field is: the birth
# date is digits 7-14 of an ID number, so a masked ID number ("330203********1234", region and
# last four) beside a plain birth date is the whole number again (probe, session 21: 50 of 50
# ID numbers rebuilt that way from a grant that left the birth date plain).
MASKED_WITH = {"birth_date": "id_number"}


def masked_together(masking: dict) -> dict:
    """``masking`` with each field of ``MASKED_WITH`` masked when its source field is."""
    out = dict(masking or {})
    for field, source in MASKED_WITH.items():
        if field in out and out.get(source) == Masking.MASKED:
            out[field] = Masking.MASKED
    return out


class Grant(models.Model):
    """A consumer department's right to pull a subset of a resource's fields, each either
    plain or masked; revocable at once. Read from the database, its masking is
    ``masked_together`` (grants approved before that rule included)."""

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="grants")
    consumer = models.ForeignKey(
        "accounts.Department", verbose_name=_("使用部门"), on_delete=models.PROTECT,
        related_name="grants",
    )
    request = models.ForeignKey(
        ShareRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants"
    )
    fields = models.JSONField(_("授权字段"), default=list)
    masking = models.JSONField(_("脱敏规则"), default=dict)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.TextField(_("撤销理由"), blank=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "consumer"], condition=Q(revoked_at__isnull=True),
                name="one_active_grant",
            ),
        ]
        verbose_name = _("共享授权")
        verbose_name_plural = _("共享授权")

    def __str__(self):
        return f"{self.consumer} ← {self.resource}"

    @classmethod
    def from_db(cls, db, field_names, values):
        grant = super().from_db(db, field_names, values)
        if "masking" in grant.__dict__:
            grant.masking = masked_together(grant.masking)
        return grant

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def masking_for(self, field: str) -> str:
        return self.masking.get(field, Masking.PLAIN)

    @property
    def field_items(self) -> list[dict]:
        """The granted fields with their labels and masks (``labelled_fields``)."""
        return labelled_fields(self.resource, self.fields, self.masking)

    @classmethod
    def restrict_q(cls, scope, action):
        # The consumer sees its grants; the provider sees and revokes what it granted.
        dept = scope.department_id
        given = (ANSWER, Q(resource__provider_id=dept))
        if action == CHANGE:
            return _department_q(scope, [given])
        return _department_q(scope, [
            (REQUEST, Q(consumer_id=dept) | Q(resource__provider_id=dept)), given])


class ExchangeLog(models.Model):
    """Evidence of one exchange (X-Road style): who pulled what from whom, for which case,
    how many rows, and the SHA-256 of the exact response body. Append-only.

    ``params`` keeps what was asked (limit, offset, search, filters, sort) but never a plain
    ID number or phone: the values asked of a personal field are masked, and so is every ID
    number, mobile number or long run of digits anywhere else (``evidence_params``; ``save``
    applies the second rule to any writer).
    """

    consumer = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="exchanges")
    grant = models.ForeignKey(Grant, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=20, choices=ExchangeChannel.choices)
    api_key_prefix = models.CharField(max_length=16, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64)
    case_id = models.CharField(_("案件编号"), max_length=100, blank=True)
    params = models.JSONField(default=dict)
    row_count = models.PositiveIntegerField(_("行数"))
    response_sha256 = models.CharField(_("响应摘要"), max_length=64)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("交换记录")
        verbose_name_plural = _("交换记录")

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("exchange evidence is append-only")
        self.params = personal_data.scrub(self.params or {})
        super().save(*args, **kwargs)

    @staticmethod
    def evidence_params(resource, grant, params) -> dict:
        """The parameters of a request as the evidence keeps them: the values asked of the
        resource's sensitive fields, or of fields the grant masks, masked whole; ID numbers,
        mobile numbers and runs of 7+ digits anywhere else masked (``personal_data.scrub``)."""
        personal = set(resource.fields.filter(sensitive=True).values_list("name", flat=True))
        if grant is not None:
            personal |= {f for f, rule in (grant.masking or {}).items()
                         if rule == Masking.MASKED}
        return personal_data.scrub(params or {}, personal_keys=personal)

    @classmethod
    def restrict_q(cls, scope, action):
        # Evidence is read by the audit administrator (every exchange) and by the two
        # departments it concerns; nobody changes it.
        if action == CHANGE:
            return NOTHING
        if scope.can(AUDIT_EXCHANGES):
            return None
        dept = scope.department_id
        return _department_q(scope, [(VIEW_EXCHANGES, Q(consumer_id=dept) | Q(provider_id=dept))])
