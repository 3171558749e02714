"""Verbs of the assessment: edit a scheme, freeze a period, appeal a case, decide an appeal.

Each requires its permission, validates, writes and audits in one transaction
(``actor=None``: the system, e.g. the monthly task).
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope, require
from gridgov.core.actors import acting_user as _user
from gridgov.events.models import Event

from . import compute
from . import indicators as ind
from .choices import AppealStatus, Direction, SubjectKind
from .models import CASE_FLAGS, Appeal, Scheme, SchemeItem, Snapshot, SnapshotCase, SnapshotResult

MAX_REASON = 2000


def _text(value, field, *, max_length=MAX_REASON) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: _("请填写此项。")})
    if len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)s 个字。") % {"n": max_length}})
    return value


# --- schemes ---------------------------------------------------------------------------------


def scheme_state(scheme: Scheme) -> dict:
    return {"name": scheme.name, "description": scheme.description, "kinds": scheme.kinds,
            "is_default": scheme.is_default, "is_active": scheme.is_active,
            "items": compute.scheme_items(scheme)}


def _clean_items(items) -> list[tuple[str, Decimal, str]]:
    out, seen = [], set()
    for item in items or ():
        code = item.get("indicator")
        if code not in ind.RATE_CODES:
            raise ValidationError({"items": _("未知的考核指标:%(c)s") % {"c": code}})
        if code in seen:
            raise ValidationError({"items": _("指标“%(c)s”重复。") % {"c": ind.label(code)}})
        seen.add(code)
        try:
            weight = Decimal(str(item.get("weight"))).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"items": _("权重须为数字。")}) from None
        if weight <= 0 or weight > 1000:
            raise ValidationError({"items": _("权重须大于 0 且不超过 1000。")})
        direction = item.get("direction") or Direction.RATE
        if direction not in Direction.values:
            raise ValidationError({"items": _("方向须为正向或反向。")})
        out.append((code, weight, direction))
    if not out:
        raise ValidationError({"items": _("方案至少需要一项指标。")})
    return out


def save_scheme(scheme: Scheme | None = None, *, name, items, kinds=None, description="",
                is_default=False, is_active=True, actor) -> Scheme:
    """Create (``scheme=None``) or change a weighted scheme and its items; audited with the
    before and after (weights included). Making it the default unsets the previous one."""
    require(actor, "assess.manage_scheme", message=_("只有系统管理员可以维护考核方案。"))
    name = _text(name, "name", max_length=60)
    kinds = list(dict.fromkeys(kinds or SubjectKind.values))
    if any(k not in SubjectKind.values for k in kinds):
        raise ValidationError({"kinds": _("未知的考核对象类型。")})
    cleaned = _clean_items(items)
    with transaction.atomic():
        if Scheme.objects.filter(name=name).exclude(pk=getattr(scheme, "pk", None)).exists():
            raise ValidationError({"name": _("方案名称已存在。")})
        before = None
        if scheme is not None:
            scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
            before = scheme_state(scheme)
            if scheme.is_default and not is_default:
                raise ValidationError({"is_default": _("请先将其他方案设为默认方案。")})
        else:
            scheme = Scheme()
        if is_default:
            Scheme.objects.filter(is_default=True).exclude(pk=scheme.pk).update(
                is_default=False)
        scheme.name, scheme.description = name, (description or "").strip()[:2000]
        scheme.kinds, scheme.is_default = kinds, bool(is_default)
        scheme.is_active, scheme.updated_at = bool(is_active) or bool(is_default), timezone.now()
        scheme.save()
        scheme.items.all().delete()
        SchemeItem.objects.bulk_create([
            SchemeItem(scheme=scheme, indicator=code, weight=weight, direction=direction,
                       order=n) for n, (code, weight, direction) in enumerate(cleaned)])
        record("assess.scheme", actor=actor, obj=scheme, before=before,
               after=scheme_state(scheme))
    return scheme


def default_scheme() -> Scheme | None:
    return Scheme.objects.filter(is_default=True).first()


# --- snapshots -------------------------------------------------------------------------------


def _case_rows(period, as_of) -> list[dict]:
    """Every case reported in the period with what it counts for (one query)."""
    source = compute.LiveSource(None, period, as_of)
    conds = source.conditions()
    flags = {f"_{code}": ExpressionWrapper(conds[code], output_field=BooleanField())
             for code in CASE_FLAGS}
    waived = {f"_w_{code}": ExpressionWrapper(ind.waived_q(code), output_field=BooleanField())
              for code in ind.WAIVABLE}
    hours = {f"_{name}": expr for name, expr in source.hours().items()}
    start, end = period.bounds()
    return list(Event.objects.filter(created_at__gte=start, created_at__lt=end)
                .annotate(**flags, **waived, **hours)
                .values("id", "number", "area_code", "department_id", "reporter_user_id",
                        "source", *flags, *waived, *hours).order_by("id"))


def _freeze_steps(progress):
    """What freezing reports through, step by step: a background job's ``Progress`` reports
    the start (before the transaction) and then, inside it, only checks for a cancel request
    (a write there would lock the job's row until the commit); nothing without a job."""
    if progress is None:
        return lambda step, message: None
    check = getattr(progress, "check", None)
    total = 2 + len(SubjectKind.values)

    def step(n, message):
        if n == 0:
            progress(0, total, message, force=True)
        elif check is not None:
            check()
    return step


def freeze_assessment(period, scheme: Scheme, *, actor, as_of=None,
                      progress=None) -> Snapshot:
    """Freeze the period's assessment under ``scheme`` as a new version.

    Stores every case reported in the period with what it counted for (the inputs, judged at
    ``as_of``, default now, accepted appeals applied) and each subject's result computed from
    those stored inputs, so it never changes when events do and recomputing it from the
    stored cases gives the same numbers. Freezing a period again makes version n + 1.
    ``progress``: a background job's reporter (``assess.freeze``, ``assess/jobs.py``); a
    cancel request stops it at the next subject kind and nothing is kept."""
    from gridgov.events.choices import Source

    require(actor, "assess.freeze", message=_("您无权生成月度考核。"))
    as_of = as_of or timezone.now()
    items = compute.scheme_items(scheme)
    step = _freeze_steps(progress)
    step(0, _("正在读取考核期内的案件"))
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
        last = (Snapshot.objects.filter(period_kind=period.kind, period_start=period.start,
                                        period_end=period.end, scheme=scheme)
                .aggregate(v=Max("version"))["v"] or 0)
        snapshot = Snapshot.objects.create(
            period_kind=period.kind, period_start=period.start, period_end=period.end,
            scheme=scheme, scheme_items=items, version=last + 1, as_of=as_of,
            frozen_by=_user(actor))
        cases = []
        for row in _case_rows(period, as_of):
            cases.append(SnapshotCase(
                snapshot=snapshot, event_id=row["id"], number=row["number"],
                area_code=row["area_code"], department_id=row["department_id"],
                reporter_id=(row["reporter_user_id"] if row["source"] == Source.GRID_PATROL
                             else None),
                accept_hours=row["_accept_hours"], handle_hours=row["_handle_hours"],
                waived=",".join(c for c in ind.WAIVABLE if row[f"_w_{c}"]),
                **{code: bool(row[f"_{code}"]) for code in CASE_FLAGS}))
        step(1, "cases")
        SnapshotCase.objects.bulk_create(cases, batch_size=1000)
        snapshot.case_count = len(cases)
        snapshot.save(update_fields=["case_count"])
        frozen = compute.FrozenSource(None, snapshot)
        live = compute.LiveSource(None, period, as_of)
        results = []
        for n, kind in enumerate(SubjectKind.values, start=2):
            step(n, kind)
            ranked = compute.ranking(frozen, kind, items)
            if kind == SubjectKind.WORKER:
                for key, work in compute.workload(live, [r.key for r in ranked]).items():
                    next(r for r in ranked if r.key == key).workload = work
            results += [SnapshotResult(snapshot=snapshot, kind=kind, subject=r.key,
                                       label=r.label[:100], score=r.score, rank=r.rank,
                                       figures=r.figures()) for r in ranked]
        SnapshotResult.objects.bulk_create(results, batch_size=1000)
        record("assess.freeze", actor=actor, obj=snapshot, after={
            "period": [period.kind, period.start.isoformat(), period.end.isoformat()],
            "scheme": scheme.name, "items": items, "version": snapshot.version,
            "as_of": as_of.isoformat(), "cases": len(cases), "results": len(results)})
    return snapshot


# --- appeals ---------------------------------------------------------------------------------


def appealable_events(actor):
    """The cases a department person may appeal: their own department's (others: 404)."""
    scope = get_scope(actor)
    if scope is None or not scope.department_can("assess.appeal"):
        return Event.objects.none()
    return Event.objects.restrict(actor, "view").filter(department_id=scope.department_id)


def submit_appeal(event, *, indicator, reason, attachment=None, actor) -> Appeal:
    """A department contests one negative mark of a case counted against it (申诉)."""
    require(actor, "assess.appeal", allow_system=False,
            message=_("只有责任部门可以对考核案件提出申诉。"))
    if indicator not in ind.WAIVABLE:
        raise ValidationError({"indicator": _("该指标不能申诉。")})
    reason = _text(reason, "reason")
    with transaction.atomic():
        event = appealable_events(actor).filter(pk=event.pk).first()
        if event is None:
            raise PermissionDenied(_("只能对本部门的案件提出申诉。"))
        marked = Event.objects.filter(pk=event.pk).filter(
            ind.raw_conditions(timezone.now())[indicator]).exists()
        if not marked:
            raise ValidationError({"indicator": _("该案件未计入此项指标,无需申诉。")})
        if Appeal.objects.filter(event=event, indicator=indicator).exclude(
                status=AppealStatus.REJECTED).exists():
            raise ValidationError({"indicator": _("该案件此项指标已有申诉。")})
        appeal = Appeal(event=event, department_id=event.department_id,
                        area_code=event.area_code, indicator=indicator, reason=reason,
                        submitted_by=_user(actor))
        if attachment:
            appeal.attachment = attachment
        appeal.save()
        record("assess.appeal", actor=actor, obj=appeal, after={
            "event": event.number, "indicator": indicator, "reason": reason,
            "attachment": appeal.attachment.name if appeal.attachment else ""})
    return appeal


def decide_appeal(appeal: Appeal, *, accept: bool, reason, actor) -> Appeal:
    """The shift leader accepts (the case's mark is waived from the next computation) or
    rejects an appeal, with a reason."""
    require(actor, "assess.decide_appeal", allow_system=False,
            message=_("只有值班长可以审核申诉。"))
    reason = _text(reason, "decision_reason")
    with transaction.atomic():
        current = (Appeal.objects.restrict(actor, "change").select_for_update()
                   .filter(pk=appeal.pk).first())
        if current is None:
            raise PermissionDenied(_("该申诉不在您的管辖范围内。"))
        if current.status != AppealStatus.PENDING:
            raise ValidationError({"status": _("该申诉已审核。")})
        current.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
        current.decided_by, current.decided_at = _user(actor), timezone.now()
        current.decision_reason = reason
        current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record("assess.decide_appeal", actor=actor, obj=current,
               changes={"status": [AppealStatus.PENDING, current.status]}, remark=reason)
    return current
