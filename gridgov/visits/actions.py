"""Verbs of visits: record a visit, save or retire a plan, keep the schedules, close them.

Each checks its permission, validates, writes and audits in one transaction (``actor=None``:
the system, e.g. the demo loader or a signal receiver acting for basic data).

The schedule rule: a person's open schedules are one per care-group tag the person carries
that has an active plan (the most specific plan by area wins); every row's ``next_due`` is
(the last visit's local date, else the day it was opened) + its interval, and the row with
the shortest interval ``governs`` the person. ``sync_schedules`` brings the rows in line with
the tags and plans; ``record_visit`` moves them on; ``close_person_schedules`` stops them.
"""

import datetime as dt
import hashlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope, require
from gridgov.core.concurrency import StaleVersion  # noqa: F401 (re-exported)
from gridgov.core.devicetime import FUTURE_SLACK, check_device_time

from . import signals
from .choices import ClosedReason, Need, VisitKind
from .models import Visit, VisitPhoto, VisitPlan, VisitSchedule
from .permissions import MANAGE_PLANS, VISIT

MAX_INTERVAL = 366
MAX_PHOTOS = 6
MAX_NOTES = 2000
# Person.status values that end the visits (gridgov.basedata.choices.PersonStatus).
ENDED_STATUSES = {"deceased": ClosedReason.DECEASED, "moved_out": ClosedReason.MOVED_OUT}




def _user(actor):
    from gridgov.accounts.models import User

    return actor if isinstance(actor, User) else None


def _person_status(person) -> str:
    return getattr(person, "status", "") or "residing"


# --- schedules ---------------------------------------------------------------------------------


def _plans_by_tag() -> dict[int, list[VisitPlan]]:
    plans: dict[int, list[VisitPlan]] = {}
    for plan in VisitPlan.objects.filter(is_active=True, tag__kind="care"):
        plans.setdefault(plan.tag_id, []).append(plan)
    for rows in plans.values():
        rows.sort(key=lambda p: len(p.area_code), reverse=True)
    return plans


def plan_for(plans: list[VisitPlan], area_code: str) -> VisitPlan | None:
    """The most specific of a tag's active plans covering the area (None: no plan)."""
    return next((p for p in plans if area_code.startswith(p.area_code)), None)


def due_from(last_visit_at, opened_on: dt.date, interval_days: int) -> dt.date:
    """The next due date: the last visit's local date (else the day opened) + the interval."""
    start = timezone.localdate(last_visit_at) if last_visit_at else opened_on
    return start + dt.timedelta(days=interval_days)


def _govern(rows: list[VisitSchedule]) -> None:
    """Mark the open row with the shortest interval (then the oldest plan) as governing."""
    open_rows = sorted((r for r in rows if r.closed_at is None),
                       key=lambda r: (r.interval_days, r.plan_id))
    for row in rows:
        row.governing = bool(open_rows) and row is open_rows[0]


def _sync_people(people, *, plans, today, now, last_visits) -> dict:
    """Bring the schedule rows of ``people`` in line (inside the caller's transaction);
    counts of rows opened, closed and changed."""
    from gridgov.basedata.models import Person

    ids = [p.pk for p in people]
    existing: dict[int, dict[int, VisitSchedule]] = {}
    for row in VisitSchedule.objects.select_for_update().filter(person_id__in=ids):
        existing.setdefault(row.person_id, {})[row.plan_id] = row
    tags: dict[int, list[int]] = {}
    for person_id, tag_id in Person.tags.through.objects.filter(
            person_id__in=ids, tag__kind="care").values_list("person_id", "tag_id"):
        tags.setdefault(person_id, []).append(tag_id)
    counts = {"opened": 0, "closed": 0, "changed": 0}
    creates, updates = [], []
    for person in people:
        rows = existing.get(person.pk, {})
        ended = ENDED_STATUSES.get(_person_status(person))
        merged = getattr(person, "merged_into_id", None)
        wanted = {}
        if not ended and not merged:
            for tag_id in tags.get(person.pk, ()):
                plan = plan_for(plans.get(tag_id, []), person.area_code)
                if plan is not None:
                    wanted[plan.pk] = plan
        last = last_visits.get(person.pk)
        all_rows = []
        for plan_id, row in rows.items():
            before = (row.closed_at, row.next_due, row.governing, row.area_code,
                      row.interval_days, row.last_visit_at)
            if plan_id in wanted:
                plan = wanted[plan_id]
                if row.closed_at is not None:
                    row.closed_at, row.closed_reason, row.opened_on = None, "", today
                    counts["opened"] += 1
                row.interval_days = plan.interval_days
            elif row.closed_at is None:
                row.closed_at = now
                row.closed_reason = ended or (ClosedReason.MERGED if merged
                                              else _left_reason(row, plans))
                counts["closed"] += 1
            row.area_code = person.area_code
            row.last_visit_at = last
            row.next_due = due_from(last, row.opened_on, row.interval_days)
            all_rows.append((row, before))
        new_rows = []
        for plan_id, plan in wanted.items():
            if plan_id not in rows:
                row = VisitSchedule(person_id=person.pk, plan=plan, area_code=person.area_code,
                                    interval_days=plan.interval_days, opened_on=today,
                                    last_visit_at=last,
                                    next_due=due_from(last, today, plan.interval_days))
                new_rows.append(row)
                counts["opened"] += 1
        _govern([r for r, _b in all_rows] + new_rows)
        for row, before in all_rows:
            after = (row.closed_at, row.next_due, row.governing, row.area_code,
                     row.interval_days, row.last_visit_at)
            if after != before:
                row.updated_at = now
                updates.append(row)
                counts["changed"] += 1
        for row in new_rows:
            row.updated_at = now
        creates += new_rows
    VisitSchedule.objects.bulk_create(creates, batch_size=500)
    VisitSchedule.objects.bulk_update(
        updates, ["closed_at", "closed_reason", "opened_on", "interval_days", "area_code",
                  "last_visit_at", "next_due", "governing", "updated_at"], batch_size=500)
    return counts


def _left_reason(row, plans) -> str:
    """Why an open row no longer applies: its plan was retired, or the person left the group
    (or a more specific plan took over)."""
    active = {p.pk for ps in plans.values() for p in ps}
    return ClosedReason.LEFT_GROUP if row.plan_id in active else ClosedReason.PLAN_RETIRED


def _last_visits(person_ids) -> dict[int, dt.datetime]:
    return dict(Visit.objects.filter(person_id__in=person_ids).values("person_id")
                .annotate(last=Max("visited_at")).values_list("person_id", "last"))


def sync_schedules(person_ids=None, *, actor=None, today=None) -> dict:
    """Bring the schedules in line with the people's care tags and the active plans:
    open the rows that now apply, close the ones that no longer do, recompute due dates.

    ``person_ids=None``: every person with a care tag or a schedule (after a plan changed;
    the periodic job). Audited once per call with the counts when anything changed."""
    from gridgov.basedata.models import Person

    require(actor, MANAGE_PLANS)
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        plans = _plans_by_tag()
        if person_ids is None:
            ids = set(Person.tags.through.objects.filter(tag__kind="care")
                      .values_list("person_id", flat=True))
            ids |= set(VisitSchedule.objects.values_list("person_id", flat=True))
        else:
            ids = set(person_ids)
        totals = {"opened": 0, "closed": 0, "changed": 0}
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = list(Person.objects.filter(pk__in=ordered[start:start + 500]))
            counts = _sync_people(chunk, plans=plans, today=today, now=now,
                                  last_visits=_last_visits([p.pk for p in chunk]))
            for key in totals:
                totals[key] += counts[key]
        if any(totals.values()):
            record("visits.sync", actor=actor, object_type="visits.visitschedule",
                   object_id="sync", object_repr=_("走访排期"),
                   after={"people": len(ids), **totals})
    return totals


def close_person_schedules(person, *, reason: str, on=None, actor=None) -> int:
    """Close the person's open schedules (a death or a move-out: 顺延不再提醒); audited on the
    person's visit chain. The number of rows closed."""
    if reason not in ClosedReason.values:
        raise ValidationError({"reason": _("未知的关闭原因。")})
    now = timezone.now()
    with transaction.atomic():
        rows = list(VisitSchedule.objects.select_for_update()
                    .filter(person_id=person.pk, closed_at__isnull=True))
        if not rows:
            return 0
        for row in rows:
            row.closed_at, row.closed_reason, row.governing, row.updated_at = (
                now, reason, False, now)
        VisitSchedule.objects.bulk_update(
            rows, ["closed_at", "closed_reason", "governing", "updated_at"])
        record("visits.close", actor=actor, object_type="visits.person",
               object_id=person.pk, object_repr=str(person.name),
               after={"reason": reason, "on": on.isoformat() if on else None,
                      "plans": sorted(r.plan_id for r in rows)})
    return len(rows)


# --- visits ------------------------------------------------------------------------------------


def check_visited_at(value, *, now=None, field="visited_at") -> dt.datetime:
    """The device's time of the visit: at most 5 minutes ahead, at most 7 days old."""
    return check_device_time(value, field=field, label=_("走访时间"), now=now)


def _clean_position(lng, lat, accuracy_m):
    if lng is None and lat is None:
        return None, None, None
    if lng is None or lat is None:
        raise ValidationError({"lng" if lng is None else "lat": _("经纬度须同时提供。")})
    if not (-180 <= lng <= 180):
        raise ValidationError({"lng": _("经度须在 -180 到 180 之间。")})
    if not (-90 <= lat <= 90):
        raise ValidationError({"lat": _("纬度须在 -90 到 90 之间。")})
    if accuracy_m is not None and accuracy_m < 0:
        raise ValidationError({"accuracy_m": _("定位精度不能为负数。")})
    return lng, lat, accuracy_m


def _prepare_photos(photos) -> list[dict]:
    from gridgov.events.attachments import PHOTO_TYPES, check_file

    photos = [p for p in (photos or []) if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("照片不能超过 %(n)d 张。") % {"n": MAX_PHOTOS}})
    out = []
    for upload in photos:
        ctype, name, data = check_file(upload, field="photos")
        if ctype not in PHOTO_TYPES:
            raise ValidationError({"photos": _("“%(name)s”不是照片:仅接受 JPEG、PNG、WebP。")
                                   % {"name": name}})
        out.append({"name": name, "content_type": ctype, "data": data,
                    "sha256": hashlib.sha256(data).hexdigest()})
    return out


def visit_state(visit: Visit) -> dict:
    return {"person": visit.person_id, "visited_at": visit.visited_at.isoformat(),
            "kind": visit.kind, "notes": visit.notes, "needs": visit.needs,
            "needs_note": visit.needs_note, "lng": visit.lng, "lat": visit.lat,
            "accuracy_m": visit.accuracy_m, "client_id": str(visit.client_id or ""),
            "photos": [p.sha256 for p in visit.photos.all()]}


def record_visit(person, *, actor, visited_at=None, kind=VisitKind.HOME, notes="", needs=(),
                 needs_note="", photos=(), lng=None, lat=None, accuracy_m=None,
                 position_at=None, client_id=None) -> Visit:
    """Record a visit to a person of the actor's areas and move the person's schedules on.

    ``visited_at`` is the device's time (≤ 5 minutes ahead, ≤ 7 days old; default now);
    ``client_id`` the outbox's id: a second call with it returns the first visit.
    Past visits of the system (a migration, the demo) go through ``import_visits``."""
    require(actor, VISIT, message=_("您无权记录走访。"))
    if actor is not None:
        scope = get_scope(actor)
        if scope is None or not scope.covers(person.area_code, VISIT):
            raise Http404(_("没有这个人员。"))
    if client_id is not None and not isinstance(client_id, uuid.UUID):
        try:
            client_id = uuid.UUID(str(client_id))
        except ValueError:
            raise ValidationError({"client_id": _("客户端编号须为 UUID。")}) from None
    now = timezone.now()
    visited_at = check_visited_at(visited_at, now=now)
    if kind not in VisitKind.values:
        raise ValidationError({"kind": _("未知的走访方式。")})
    needs = list(dict.fromkeys(needs or ()))
    bad = [n for n in needs if n not in Need.values]
    if bad:
        raise ValidationError({"needs": _("未知的需求:%(n)s。") % {"n": "、".join(bad)}})
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("不能超过 %(n)s 个字。") % {"n": MAX_NOTES}})
    needs_note = (needs_note or "").strip()
    if len(needs_note) > 500:
        raise ValidationError({"needs_note": _("不能超过 %(n)s 个字。") % {"n": 500}})
    if kind == VisitKind.HOME and not notes and not needs and not needs_note and not photos:
        raise ValidationError({"notes": _("请填写走访情况,或勾选需求、拍摄照片。")})
    lng, lat, accuracy_m = _clean_position(lng, lat, accuracy_m)
    prepared = _prepare_photos(photos)
    user = _user(actor)
    with transaction.atomic():
        if client_id is not None:
            found = Visit.objects.filter(client_id=client_id).first()
            if found is not None:
                if found.person_id != person.pk:
                    raise ValidationError({"client_id": _("该客户端编号已用于另一次走访。")})
                return found
        from gridgov.basedata.models import Person

        person = Person.objects.select_for_update().get(pk=person.pk)
        if _person_status(person) in ENDED_STATUSES or person.merged_into_id:
            raise ValidationError({"person": _("该人员已迁出、死亡或已合并,不能再记录走访。")})
        visit = Visit.objects.create(
            person=person, area_code=person.area_code, visitor=user,
            visitor_name=str(user)[:60] if user else "",
            visited_at=visited_at, kind=kind, notes=notes, needs=needs,
            needs_note=needs_note, lng=lng, lat=lat, accuracy_m=accuracy_m,
            position_at=position_at if lng is not None else None, client_id=client_id,
            created_at=now, updated_at=now)
        for photo in prepared:
            VisitPhoto.objects.create(
                visit=visit, file=ContentFile(photo["data"], name=photo["name"]),
                name=photo["name"], content_type=photo["content_type"],
                sha256=photo["sha256"], size=len(photo["data"]))
        _sync_people([person], plans=_plans_by_tag(), today=timezone.localdate(), now=now,
                     last_visits=_last_visits([person.pk]))
        record("visits.visit", actor=actor, obj=visit, new_chain=True,
               after=visit_state(visit))
        transaction.on_commit(lambda: signals.visit_recorded.send(
            sender=Visit, visit=visit, actor=actor))
    return visit


def import_visits(rows, *, actor=None) -> int:
    """Record past visits in bulk (the system only: a migration from an earlier system, the
    demo): ``rows`` are dicts of ``person`` (a Person), ``visitor`` (a User or None),
    ``visited_at``, ``kind``, ``notes``, ``needs``. Validated like ``record_visit`` except
    the 7-day bound; one audit record for the batch; the schedules synced once."""
    if actor is not None:
        raise PermissionDenied(_("只有系统导入可以补录历史走访。"))
    now = timezone.now()
    visits = []
    for n, row in enumerate(rows):
        person, at, kind = row["person"], row["visited_at"], row.get("kind", VisitKind.HOME)
        needs = list(row.get("needs") or ())
        if at > now + FUTURE_SLACK:
            raise ValidationError({"visited_at": _("第 %(n)d 条:走访时间晚于当前时间。")
                                   % {"n": n + 1}})
        if kind not in VisitKind.values or any(x not in Need.values for x in needs):
            raise ValidationError({"kind": _("第 %(n)d 条:走访方式或需求无效。") % {"n": n + 1}})
        visitor = row.get("visitor")
        visits.append(Visit(
            person=person, area_code=person.area_code, visitor=visitor,
            visitor_name=str(visitor)[:60] if visitor else "",
            visited_at=at, kind=kind, notes=(row.get("notes") or "")[:MAX_NOTES], needs=needs,
            created_at=now, updated_at=now))
    with transaction.atomic():
        Visit.objects.bulk_create(visits, batch_size=500)
        people = sorted({v.person_id for v in visits})
        record("visits.import", actor=None, object_type="visits.visit", object_id="import",
               object_repr=_("走访记录"), after={"visits": len(visits), "people": len(people)})
        sync_schedules(people, actor=None)
    return len(visits)


def last_contacts(person_ids) -> dict[int, dt.datetime]:
    """The last visit time per person (one indexed query; issue 14's "not contacted")."""
    return _last_visits(person_ids)


# --- plans -------------------------------------------------------------------------------------


def plan_state(plan: VisitPlan) -> dict:
    return {"tag": plan.tag.name, "area_code": plan.area_code,
            "interval_days": plan.interval_days, "note": plan.note,
            "is_active": plan.is_active, "version": plan.version}


def _clean_plan(tag, area_code, interval_days):
    from gridgov.areas.models import Area
    from gridgov.basedata.choices import TagKind

    if tag is None:
        raise ValidationError({"tag": _("请选择关爱人群。")})
    if tag.kind != TagKind.CARE:
        raise ValidationError({"tag": _("只能为关爱人群制定走访计划。")})
    area_code = (area_code or "").strip()
    if area_code and not Area.objects.filter(code=area_code).exists():
        raise ValidationError({"area_code": _("没有这个区域。")})
    if interval_days is None or not (1 <= int(interval_days) <= MAX_INTERVAL):
        raise ValidationError({"interval_days": _("走访周期须在 1 到 %(n)d 天之间。")
                               % {"n": MAX_INTERVAL}})
    return area_code, int(interval_days)


def save_plan(plan: VisitPlan | None = None, *, tag, interval_days, area_code="", note="",
              is_active=True, expected_version=None, actor) -> VisitPlan:
    """Create (``plan=None``) or change a visit plan, then recompute the schedules of the
    people it concerns. ``expected_version`` behind the stored one: ``StaleVersion``."""
    require(actor, MANAGE_PLANS, message=_("只有系统管理员可以维护走访计划。"))
    area_code, interval_days = _clean_plan(tag, area_code, interval_days)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("不能超过 %(n)s 个字。") % {"n": 200}})
    with transaction.atomic():
        before = None
        if plan is not None:
            plan = VisitPlan.objects.select_for_update().select_related("tag").get(pk=plan.pk)
            if expected_version is not None and int(expected_version) != plan.version:
                raise StaleVersion(plan)
            before = plan_state(plan)
        else:
            plan = VisitPlan()
        if is_active and VisitPlan.objects.filter(
                tag=tag, area_code=area_code, is_active=True).exclude(pk=plan.pk).exists():
            raise ValidationError({"area_code": _("该人群在该区域已有启用的走访计划。")})
        plan.tag, plan.area_code, plan.interval_days = tag, area_code, interval_days
        plan.note, plan.is_active = note, bool(is_active)
        plan.updated_by, plan.updated_at = _user(actor), timezone.now()
        if before is not None:
            plan.version += 1
        plan.save()
        record("visits.plan", actor=actor, obj=plan, before=before, after=plan_state(plan),
               new_chain=before is None)
        _resync_tag(tag)
    return plan


def retire_plan(plan: VisitPlan, *, expected_version=None, actor) -> VisitPlan:
    """Stop a plan: its schedules close (or pass to a wider plan of the same group)."""
    require(actor, MANAGE_PLANS, message=_("只有系统管理员可以维护走访计划。"))
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().select_related("tag").get(pk=plan.pk)
        if expected_version is not None and int(expected_version) != plan.version:
            raise StaleVersion(plan)
        if not plan.is_active:
            return plan
        before = plan_state(plan)
        plan.is_active, plan.version = False, plan.version + 1
        plan.updated_by, plan.updated_at = _user(actor), timezone.now()
        plan.save()
        record("visits.plan_retire", actor=actor, obj=plan, before=before,
               after=plan_state(plan))
        _resync_tag(plan.tag)
    return plan


def _resync_tag(tag) -> None:
    from gridgov.basedata.models import Person

    ids = set(Person.tags.through.objects.filter(tag=tag).values_list("person_id", flat=True))
    ids |= set(VisitSchedule.objects.filter(plan__tag=tag).values_list("person_id", flat=True))
    sync_schedules(ids, actor=None)
