"""Verbs of the data resource centre: publish, upload, request, answer, dispute, grant, revoke,
and the evidence of every exchange.

Sharing is the rule (国发〔2016〕51号): an unconditional resource is granted on application at
once; a conditional one is answered by the provider within 10 working days, a refusal needs a
reason and the consumer may take a refusal (or a missed deadline) to the coordinating
department; a resource is "not shared" only with its legal basis and is never granted.
"""

import csv
import datetime as dt
import io
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department
from gridgov.audit.recorder import record, snapshot

from .checks import (
    actor_user,
    choice,
    clean_fields,
    digits,
    require_publisher,
    staff_scope,
    string_list,
    text,
    validate_sharing,
)
from .choices import (
    ANSWER_WORKING_DAYS,
    BaseLibrary,
    FieldType,
    Masking,
    OpenAttribute,
    RequestStatus,
    ResourceFormat,
    SharingMethod,
    SharingType,
    UpdateCycle,
)
from .models import (
    ExchangeLog,
    Grant,
    Resource,
    ResourceField,
    ResourceRow,
    ShareRequest,
    coordinating_department_code,
    masked_together,
)
from .permissions import ANSWER, COORDINATE
from .registry import get_builtin

RESOURCE_FIELDS = (
    "code", "name", "category", "item", "catalog", "subcatalog", "provider", "abstract",
    "format", "update_cycle", "sharing_type", "sharing_condition", "legal_basis",
    "sharing_method", "open_attribute", "published_on", "related_codes", "tags", "groups",
    "builtin_key", "is_published",
)
EDITABLE_FIELDS = frozenset(RESOURCE_FIELDS) - {"code", "provider", "builtin_key", "is_published"}
REQUEST_FIELDS = (
    "resource", "consumer", "purpose", "fields", "status", "answer_deadline", "answered_at",
    "refusal_reason", "dispute_reason", "coordinator", "resolution", "resolved_at",
)
GRANT_FIELDS = ("resource", "consumer", "request", "fields", "masking", "revoked_at",
                "revoke_reason")

CHOICE_FIELDS = {
    "format": ResourceFormat, "update_cycle": UpdateCycle, "sharing_type": SharingType,
    "sharing_method": SharingMethod, "open_attribute": OpenAttribute,
}
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,59}$")
MAX_UPLOAD_ROWS = 200_000


# --- helpers --------------------------------------------------------------------------------



def _next_code(provider, category, item, catalog) -> str:
    prefix = f"{provider.code}-{category}{item}{catalog}-"
    taken = Resource.objects.filter(code__startswith=prefix).count()
    n = taken + 1
    while Resource.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


def _resource_state(resource) -> dict:
    state = snapshot(resource, RESOURCE_FIELDS)
    state["fields"] = [f.name for f in resource.fields.all()] if resource.pk else []
    return state



# --- catalog --------------------------------------------------------------------------------


def publish_resource(*, provider, actor, name, category, item, catalog, abstract, format,
                     update_cycle, sharing_type, sharing_method, fields, code="",
                     subcatalog="", sharing_condition="", legal_basis="",
                     open_attribute=OpenAttribute.CLOSED, published_on=None,
                     related_codes=(), tags=(), groups=(), builtin_key="") -> Resource:
    """Publish a resource in the catalog with its data items (provider's data officer or
    department administrator). A not-shared resource needs its legal basis, a conditional
    one its condition. The code is generated (provider-类项目-sequence) when not given."""
    require_publisher(actor, provider)
    name = text(name, "name", max_length=200)
    category = digits(category, 1, "category")
    item = digits(item, 2, "item")
    catalog = digits(catalog, 3, "catalog")
    subcatalog = (subcatalog or "").strip()
    if subcatalog and not re.fullmatch(r"\d{1,6}", subcatalog):
        raise ValidationError({"subcatalog": _("细目应为 1 至 6 位数字。")})
    abstract = text(abstract, "abstract", max_length=4000)
    choice(format, ResourceFormat, "format")
    choice(update_cycle, UpdateCycle, "update_cycle")
    choice(sharing_type, SharingType, "sharing_type")
    choice(sharing_method, SharingMethod, "sharing_method")
    choice(open_attribute, OpenAttribute, "open_attribute")
    sharing_condition = text(sharing_condition, "sharing_condition", required=False)
    legal_basis = text(legal_basis, "legal_basis", required=False)
    validate_sharing(sharing_type, sharing_condition, legal_basis)
    groups = string_list(groups, "groups")
    for group in groups:
        choice(group, BaseLibrary, "groups")
    tags = string_list(tags, "tags")
    related_codes = string_list(related_codes, "related_codes", max_length=60)
    fields = clean_fields(fields)
    code = (code or "").strip()
    with transaction.atomic():
        if code:
            if not CODE_RE.match(code):
                raise ValidationError({"code": _("资源代码只能包含字母、数字、短横线和下划线。")})
            if Resource.objects.filter(code=code).exists():
                raise ValidationError({"code": _("资源代码已被使用。")})
        else:
            code = _next_code(provider, category, item, catalog)
        resource = Resource.objects.create(
            code=code, name=name, category=category, item=item, catalog=catalog,
            subcatalog=subcatalog, provider=provider, abstract=abstract, format=format,
            update_cycle=update_cycle, sharing_type=sharing_type,
            sharing_condition=sharing_condition, legal_basis=legal_basis,
            sharing_method=sharing_method, open_attribute=open_attribute,
            published_on=published_on or timezone.localdate(), related_codes=related_codes,
            tags=tags, groups=groups, builtin_key=builtin_key,
            created_by=actor_user(actor),
        )
        ResourceField.objects.bulk_create(
            ResourceField(resource=resource, position=i, **spec) for i, spec in enumerate(fields)
        )
        record("sharing.publish", actor=actor, obj=resource, after=_resource_state(resource))
    return resource


def publish_builtin(key, *, actor, **metadata) -> Resource:
    """Publish a registered built-in source (``registry.register_builtin``) as a resource of
    its provider department; the catalog metadata may be given or comes from the registry.
    Publishing the same source twice returns the existing entry."""
    builtin = get_builtin(key)
    if builtin is None:
        raise ValidationError({"builtin_key": _("未登记的内置数据源:%(key)s。") % {"key": key}})
    existing = Resource.objects.filter(builtin_key=key).first()
    if existing is not None:
        return existing
    provider = Department.objects.filter(code=builtin.provider_department_code).first()
    if provider is None:
        raise ValidationError({"provider": _("提供部门不存在:%(code)s。") % {
            "code": builtin.provider_department_code}})
    values = {
        "name": builtin.name,
        "category": "1", "item": "01", "catalog": "001",
        "abstract": builtin.name,
        "format": ResourceFormat.DATABASE,
        "update_cycle": UpdateCycle.REALTIME,
        "sharing_type": SharingType.CONDITIONAL,
        "sharing_condition": _("用于履行法定职责,按最小必要原则申请字段。"),
        "sharing_method": SharingMethod.API,
        "groups": [],
        "tags": [],
    }
    values.update({k: v for k, v in builtin.meta.items() if k in EDITABLE_FIELDS | {"code"}})
    values.update(metadata)
    for name, choices in CHOICE_FIELDS.items():
        # A registry may name a choice by its label (更新周期 "实时"): store the value.
        by_label = {str(label): value for value, label in choices.choices}
        if values.get(name) in by_label:
            values[name] = by_label[values[name]]
    return publish_resource(provider=provider, actor=actor, fields=list(builtin.fields),
                            builtin_key=key, **values)


def update_resource(resource, *, actor, **changes) -> Resource:
    """Change a resource's catalog metadata (not its code, provider or data items)."""
    require_publisher(actor, resource.provider)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("此项不能修改。")})
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        before = _resource_state(resource)
        for name, value in changes.items():
            if name in ("tags", "related_codes", "groups"):
                value = string_list(value, name)
            setattr(resource, name, value)
        for group in resource.groups:
            choice(group, BaseLibrary, "groups")
        validate_sharing(resource.sharing_type, resource.sharing_condition,
                          resource.legal_basis)
        try:
            resource.full_clean(exclude=["provider", "created_by"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        resource.save()
        after = _resource_state(resource)
        if before != after:
            record("sharing.update", actor=actor, obj=resource, before=before, after=after)
        if resource.sharing_type == SharingType.NOT_SHARED:
            # A resource that is no longer shared stops flowing at once.
            for grant in Grant.objects.active().filter(resource=resource):
                _revoke(grant, actor=actor, reason=_("资源调整为不予共享。"))
    return resource


def set_published(resource, *, published, actor) -> Resource:
    """Withdraw a resource from the catalog or publish it again."""
    require_publisher(actor, resource.provider)
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=resource.pk)
        if resource.is_published == bool(published):
            return resource
        before = _resource_state(resource)
        resource.is_published = bool(published)
        resource.save(update_fields=["is_published", "updated_at"])
        record("sharing.publish" if published else "sharing.withdraw", actor=actor,
               obj=resource, before=before, after=_resource_state(resource))
    return resource


def _coerce(value: str, ftype: str):
    """A CSV cell as a value of the field's type; ValueError with a reason when it is not."""
    value = value.strip()
    if value == "":
        return None
    if ftype == FieldType.INTEGER:
        return int(value)
    if ftype == FieldType.NUMBER:
        return float(value)
    if ftype == FieldType.DATE:
        return dt.date.fromisoformat(value).isoformat()
    if ftype == FieldType.DATETIME:
        return dt.datetime.fromisoformat(value).isoformat()
    if ftype == FieldType.BOOLEAN:
        lowered = value.lower()
        if lowered in ("1", "true", "yes", "是", "y"):
            return True
        if lowered in ("0", "false", "no", "否", "n"):
            return False
        raise ValueError(value)
    return value


TYPE_HINTS = {
    FieldType.INTEGER: _("应为整数"), FieldType.NUMBER: _("应为数值"),
    FieldType.DATE: _("应为日期 YYYY-MM-DD"), FieldType.DATETIME: _("应为 ISO 8601 日期时间"),
    FieldType.BOOLEAN: _("应为 是/否"),
}


def upload_rows(resource, data, *, actor, replace=False) -> dict:
    """Load rows of a department-published resource from CSV text (UTF-8, header = field
    names or labels). Every row is checked against the data items; the valid rows are saved
    together, the rejected ones reported with row, field and reason (nothing dropped
    silently). ``replace`` drops the previous rows first. Returns
    ``{"saved": n, "rejected": [{"row", "field", "message"}]}``."""
    require_publisher(actor, resource.provider)
    if resource.builtin_key:
        raise ValidationError({"file": _("内置资源的数据来自平台基础数据,不能上传。")})
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("文件应为 UTF-8 编码的 CSV。")})
    reader = csv.reader(io.StringIO(data))
    header = next(reader, None)
    if not header:
        raise ValidationError({"file": _("文件为空。")})
    fields = list(resource.fields.all())
    by_key = {}
    for f in fields:
        by_key[f.name] = f
        by_key[f.label] = f
    columns = []
    for name in header:
        f = by_key.get(name.strip().lstrip("\ufeff"))
        if f is None:
            raise ValidationError({"file": _("未知的列:%(name)s。") % {"name": name}})
        columns.append(f)
    rejected, rows = [], []
    now = timezone.now()
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            rejected.append({"row": number, "field": "",
                             "message": _("列数应为 %(n)d。") % {"n": len(columns)}})
            continue
        row, ok = {}, True
        for f, cell in zip(columns, cells, strict=True):
            try:
                row[f.name] = _coerce(cell, f.type)
            except ValueError:
                ok = False
                rejected.append({"row": number, "field": f.name,
                                 "message": TYPE_HINTS.get(f.type, _("格式错误"))})
        if ok:
            rows.append(ResourceRow(resource=resource, data=row, updated_at=now))
        if len(rows) > MAX_UPLOAD_ROWS:
            raise ValidationError({"file": _("单次最多上传 %(n)d 行。") % {"n": MAX_UPLOAD_ROWS}})
    with transaction.atomic():
        removed = 0
        if replace:
            removed, _detail = ResourceRow.objects.filter(resource=resource).delete()
        ResourceRow.objects.bulk_create(rows, batch_size=2000)
        Resource.objects.filter(pk=resource.pk).update(updated_at=now)
        record("sharing.upload", actor=actor, obj=resource,
               after={"saved": len(rows), "rejected": len(rejected), "replaced": removed})
    return {"saved": len(rows), "rejected": rejected}


# --- requests -------------------------------------------------------------------------------


def answer_deadline(start):
    """(deadline, note): 10 working days after ``start`` on the working-day calendar; when
    the calendar does not know those days the deadline is left open and the note says so."""
    from gridgov.core import workdays

    try:
        return workdays.add_working_days(start, ANSWER_WORKING_DAYS), ""
    except workdays.CalendarUnknown as exc:
        return None, str(exc)[:200]


def _check_fields(resource, names, field="fields") -> list[str]:
    known = [f.name for f in resource.fields.all()]
    names = string_list(names, field, max_length=60)
    if not names:
        raise ValidationError({field: _("请至少选择一个字段。")})
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError({field: _("资源没有这些字段:%(names)s。") % {
            "names": ", ".join(unknown)}})
    return [n for n in known if n in names]  # catalog order


def _masking(resource, fields, masking) -> dict:
    """Per granted field: plain or masked. Sensitive fields are masked unless said
    otherwise; every other field is plain unless said otherwise."""
    masking = dict(masking or {})
    sensitive = {f.name for f in resource.fields.all() if f.sensitive}
    out = {}
    for name in fields:
        value = masking.get(name, Masking.MASKED if name in sensitive else Masking.PLAIN)
        if value not in Masking.values:
            raise ValidationError({"masking": _("无效的脱敏规则:%(value)s。") % {"value": value}})
        out[name] = value
    return masked_together(out)


def _new_grant(resource, consumer, *, fields, masking, request, actor) -> Grant:
    for old in Grant.objects.active().select_for_update().filter(
            resource=resource, consumer=consumer):
        _revoke(old, actor=actor, reason=_("由新的授权替代。"))
    grant = Grant.objects.create(
        resource=resource, consumer=consumer, request=request, fields=fields,
        masking=masking, granted_by=actor_user(actor),
    )
    record("sharing.grant", actor=actor, obj=grant, after=snapshot(grant, GRANT_FIELDS))
    return grant


def request_share(resource, *, purpose, fields, actor) -> ShareRequest:
    """Apply, for the actor's department, to use a resource's fields for a purpose.

    Unconditional: approved at once with a grant (sensitive fields masked). Conditional:
    pending, with the provider's answer due in 10 working days. Not shared: refused here."""
    scope = staff_scope(actor)
    consumer = Department.objects.get(pk=scope.department_id)
    if resource.provider_id == consumer.pk:
        raise ValidationError({"resource": _("不能申请本部门提供的资源。")})
    if not resource.is_published:
        raise ValidationError({"resource": _("该资源已撤回。")})
    if resource.sharing_type == SharingType.NOT_SHARED:
        raise ValidationError({"resource": _("该资源不予共享(依据:%(basis)s)。") % {
            "basis": resource.legal_basis}})
    purpose = text(purpose, "purpose", max_length=2000)
    fields = _check_fields(resource, fields)
    now = timezone.now()
    with transaction.atomic():
        if ShareRequest.objects.filter(resource=resource, consumer=consumer,
                                       status__in=[RequestStatus.PENDING,
                                                   RequestStatus.DISPUTED]).exists():
            raise ValidationError({"resource": _("本部门对该资源已有未办结的申请。")})
        req = ShareRequest(resource=resource, consumer=consumer, requested_by=actor_user(actor),
                           purpose=purpose, fields=fields, submitted_at=now)
        if resource.sharing_type == SharingType.UNCONDITIONAL:
            req.status = RequestStatus.APPROVED
            req.answered_at = now
        else:
            req.answer_deadline, req.deadline_note = answer_deadline(now)
        req.save()
        record("sharing.request", actor=actor, obj=req, after=snapshot(req, REQUEST_FIELDS))
        if req.status == RequestStatus.APPROVED:
            _new_grant(resource, consumer, fields=fields,
                       masking=_masking(resource, fields, None), request=req, actor=actor)
    return req


def _locked_request(req, *statuses) -> ShareRequest:
    req = ShareRequest.objects.select_for_update().select_related("resource").get(pk=req.pk)
    if req.status not in statuses:
        raise ValidationError({"status": _("该申请当前状态为“%(status)s”,不能执行此操作。") % {
            "status": req.get_status_display()}})
    return req


def approve_request(req, *, actor, fields=None, masking=None) -> Grant:
    """The provider agrees: a grant for the requested fields (or a subset of them), each
    plain or masked (sensitive fields masked unless said otherwise)."""
    require_publisher(actor, req.resource.provider, ANSWER)
    with transaction.atomic():
        req = _locked_request(req, RequestStatus.PENDING)
        before = snapshot(req, REQUEST_FIELDS)
        granted = _check_fields(req.resource, fields if fields is not None else req.fields)
        extra = [f for f in granted if f not in req.fields]
        if extra:
            raise ValidationError({"fields": _("只能授权申请的字段,多出:%(names)s。") % {
                "names": ", ".join(extra)}})
        req.status = RequestStatus.APPROVED
        req.answered_at = timezone.now()
        req.answered_by = actor_user(actor)
        req.save()
        record("sharing.approve", actor=actor, obj=req, before=before,
               after=snapshot(req, REQUEST_FIELDS))
        return _new_grant(req.resource, req.consumer, fields=granted,
                          masking=_masking(req.resource, granted, masking), request=req,
                          actor=actor)


def refuse_request(req, *, reason, actor) -> ShareRequest:
    """The provider refuses, giving its reason (required)."""
    require_publisher(actor, req.resource.provider, ANSWER)
    reason = text(reason, "reason", max_length=2000)
    with transaction.atomic():
        req = _locked_request(req, RequestStatus.PENDING)
        before = snapshot(req, REQUEST_FIELDS)
        req.status = RequestStatus.REFUSED
        req.refusal_reason = reason
        req.answered_at = timezone.now()
        req.answered_by = actor_user(actor)
        req.save()
        record("sharing.refuse", actor=actor, obj=req, before=before,
               after=snapshot(req, REQUEST_FIELDS))
    return req


def dispute_request(req, *, reason, actor) -> ShareRequest:
    """The consumer takes a refusal, or an answer overdue, to the coordinating department."""
    scope = staff_scope(actor)
    if scope.department_id != req.consumer_id:
        raise PermissionDenied(_("只有申请部门可以提出异议。"))
    reason = text(reason, "reason", max_length=2000)
    coordinator = Department.objects.filter(code=coordinating_department_code()).first()
    if coordinator is None:
        raise ValidationError({"coordinator": _("未配置协调部门。")})
    with transaction.atomic():
        req = _locked_request(req, RequestStatus.REFUSED, RequestStatus.PENDING)
        if req.status == RequestStatus.PENDING and not req.is_overdue:
            raise ValidationError({"status": _(
                "提供部门尚在答复期限内,期限届满未答复或被拒绝后方可提出异议。")})
        before = snapshot(req, REQUEST_FIELDS)
        req.status = RequestStatus.DISPUTED
        req.dispute_reason = reason
        req.disputed_at = timezone.now()
        req.coordinator = coordinator
        req.save()
        record("sharing.dispute", actor=actor, obj=req, before=before,
               after=snapshot(req, REQUEST_FIELDS))
    return req


def resolve_dispute(req, *, approve, resolution, actor, fields=None, masking=None):
    """The coordinating department decides a dispute: share (a grant, as the provider would
    have given it) or uphold the refusal. Its opinion is required either way."""
    scope = staff_scope(actor, COORDINATE)
    if scope.department_id != req.coordinator_id:
        raise PermissionDenied(_("只有协调部门可以处理异议。"))
    resolution = text(resolution, "resolution", max_length=2000)
    with transaction.atomic():
        req = _locked_request(req, RequestStatus.DISPUTED)
        before = snapshot(req, REQUEST_FIELDS)
        req.resolution = resolution
        req.resolved_at = timezone.now()
        req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        grant = None
        if approve:
            if req.resource.sharing_type == SharingType.NOT_SHARED:
                raise ValidationError({"resource": _("该资源不予共享,不能授权。")})
            granted = _check_fields(req.resource, fields if fields is not None else req.fields)
            grant_masking = _masking(req.resource, granted, masking)
        req.save()
        record("sharing.resolve", actor=actor, obj=req, before=before,
               after=snapshot(req, REQUEST_FIELDS))
        if approve:
            grant = _new_grant(req.resource, req.consumer, fields=granted,
                               masking=grant_masking, request=req, actor=actor)
    return grant or req


def withdraw_request(req, *, actor) -> ShareRequest:
    """The consumer withdraws a request that is still pending."""
    scope = staff_scope(actor)
    if scope.department_id != req.consumer_id:
        raise PermissionDenied(_("只有申请部门可以撤回申请。"))
    with transaction.atomic():
        req = _locked_request(req, RequestStatus.PENDING)
        before = snapshot(req, REQUEST_FIELDS)
        req.status = RequestStatus.WITHDRAWN
        req.save()
        record("sharing.withdraw_request", actor=actor, obj=req, before=before,
               after=snapshot(req, REQUEST_FIELDS))
    return req


# --- grants ---------------------------------------------------------------------------------


def _revoke(grant, *, actor, reason):
    before = snapshot(grant, GRANT_FIELDS)
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor_user(actor)
    grant.revoke_reason = reason
    grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record("sharing.revoke", actor=actor, obj=grant, before=before,
           after=snapshot(grant, GRANT_FIELDS))


def revoke_grant(grant, *, reason, actor) -> Grant:
    """The provider revokes a grant at once (reason required): the next pull answers 403."""
    require_publisher(actor, grant.resource.provider, ANSWER)
    reason = text(reason, "reason", max_length=2000)
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise ValidationError({"grant": _("该授权已撤销。")})
        _revoke(grant, actor=actor, reason=reason)
    return grant


# --- exchange evidence ----------------------------------------------------------------------


def log_exchange(*, actor, resource, grant, channel, request_id, case_id, params, row_count,
                 sha256, consumer_id=None) -> ExchangeLog:
    """Keep the evidence of one exchange (and its audit record) after the response body has
    been sent: consumer, provider, resource, request id, case, rows and the body's hash.
    ``grant`` is None when the provider reads its own resource (``consumer_id`` names it)."""
    consumer_id = grant.consumer_id if grant is not None else consumer_id
    with transaction.atomic():
        log = ExchangeLog.objects.create(
            consumer_id=consumer_id, provider_id=resource.provider_id, resource=resource,
            grant=grant, channel=channel,
            api_key_prefix=getattr(getattr(actor, "api_key", None), "prefix", ""),
            request_id=request_id or "", case_id=(case_id or "")[:100],
            params=ExchangeLog.evidence_params(resource, grant, params),
            row_count=row_count, response_sha256=sha256,
        )
        record("sharing.exchange", actor=actor, obj=log, after={
            "resource": resource.code, "consumer": consumer_id, "rows": row_count,
            "sha256": sha256, "case_id": log.case_id, "channel": channel,
        })
    return log
