"""Verbs of patrols: start, send track points, stop, and the automatic end of a forgotten one.

Each checks ``patrols.patrol`` and the patrol's scope (only the worker's own), validates,
writes and audits in one transaction. Start and stop are audited; track points are not (one
audit record per point would swamp the log; the patrol's totals move with them).

The device names a patrol by its ``client_id`` (a UUID made on the phone) and sends start,
points and stop through its outbox, each with an idempotency key; on top of that each verb is
idempotent by itself: starting a patrol whose client id exists answers that patrol, a batch sent
again adds no point twice (``sampling``), and stopping an ended patrol answers it unchanged.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope, require

from . import sampling
from .choices import EndKind, PatrolState
from .models import Patrol, PatrolPoint
from .permissions import PATROL

FUTURE_SLACK = dt.timedelta(minutes=5)
MAX_AGE = dt.timedelta(days=7)
AUTO_END_AFTER = dt.timedelta(hours=12)
# Points a little before the start (the first fix came before the tap) are kept.
START_SLACK = dt.timedelta(seconds=60)
MAX_POINTS = 2000


class Conflict(Exception):
    """The worker already has another active patrol (the API answers 409 with it)."""

    def __init__(self, message="", *, patrol=None):
        super().__init__(message or _("您已有进行中的巡查,请先结束它。"))
        self.patrol = patrol


def _state(patrol: Patrol) -> dict:
    return {"client_id": str(patrol.client_id), "area_code": patrol.area_code,
            "state": patrol.state, "started_at": patrol.started_at.isoformat(),
            "ended_at": patrol.ended_at.isoformat() if patrol.ended_at else None,
            "distance_m": round(patrol.distance_m, 1), "duration_s": patrol.duration_s,
            "point_count": patrol.point_count}


def _instant(value, field, *, now) -> dt.datetime:
    """A device time: not more than 5 minutes ahead of the server, not older than 7 days."""
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + FUTURE_SLACK:
        raise ValidationError({field: _("时间晚于当前时间,请检查手机时间设置。")})
    if value < now - MAX_AGE:
        raise ValidationError({field: _("时间早于 7 天前,无法登记。")})
    return value


def _position(lng, lat) -> tuple[float | None, float | None]:
    if lng is None and lat is None:
        return None, None
    if lng is None or lat is None:
        field = "lat" if lng is not None else "lng"
        raise ValidationError({field: _("经度和纬度须同时提供。")})
    if not -180 <= lng <= 180:
        raise ValidationError({"lng": _("经度须在 -180 到 180 之间。")})
    if not -90 <= lat <= 90:
        raise ValidationError({"lat": _("纬度须在 -90 到 90 之间。")})
    return float(lng), float(lat)


def patrol_area(actor) -> str:
    """The area the worker patrols: where they hold ``patrols.patrol`` (their grid; a grid
    chief's community). The deepest first, so a worker who is also a chief patrols the grid."""
    scope = get_scope(actor)
    codes = sorted(scope.codes_for(PATROL) if scope else (), key=lambda c: (-len(c), c))
    if not codes:
        raise PermissionDenied(_("您没有负责的网格,不能巡查。"))
    return codes[0]


def _mine(patrol, actor) -> Patrol:
    current = (Patrol.objects.restrict(actor, "change").select_for_update()
               .filter(pk=patrol.pk).first())
    if current is None:
        raise PermissionDenied(_("只能操作本人的巡查。"))
    return current


def start_patrol(*, client_id, started_at=None, lng=None, lat=None, accuracy_m=None,
                 actor) -> Patrol:
    """Start a patrol named by the device's ``client_id``, at ``started_at`` (the device's
    time, default now) and where the worker stands. A client id already known answers its
    patrol; another active patrol of the worker is a ``Conflict``: nothing is ended silently."""
    from gridgov.areas.models import Area

    require(actor, PATROL, allow_system=False, message=_("您的角色不能巡查。"))
    now = timezone.now()
    started_at = _instant(started_at, "started_at", now=now)
    lng, lat = _position(lng, lat)
    code = patrol_area(actor)
    with transaction.atomic():
        known = Patrol.objects.filter(worker=actor, client_id=client_id).first()
        if known is not None:
            return known
        active = (Patrol.objects.select_for_update()
                  .filter(worker=actor, state=PatrolState.ACTIVE).first())
        if active is not None:
            raise Conflict(patrol=active)
        patrol = Patrol(worker=actor, client_id=client_id, area_code=code,
                        grid=Area.objects.filter(code=code).first(), started_at=started_at,
                        created_at=now, updated_at=now)
        if lng is not None:
            patrol.start_lng, patrol.start_lat = lng, lat
            patrol.last_lng, patrol.last_lat, patrol.last_at = lng, lat, started_at
            patrol.last_accuracy_m, patrol.point_count = accuracy_m, 1
        try:
            with transaction.atomic():
                patrol.save()
        except IntegrityError:
            # Another request of the same worker started one meanwhile.
            raise Conflict(patrol=Patrol.objects.filter(
                worker=actor, state=PatrolState.ACTIVE).first()) from None
        if lng is not None:
            PatrolPoint.objects.create(patrol=patrol, at=started_at, lng=lng, lat=lat,
                                       accuracy_m=accuracy_m)
        record("patrols.start", actor=actor, obj=patrol, new_chain=True, after=_state(patrol))
    return patrol


def add_points(patrol, *, points, actor) -> Patrol:
    """Add a batch of track points ``[(lng, lat, accuracy_m, at), …]`` to the worker's own
    patrol, keeping only what ``sampling.sample`` keeps after the last kept point. Points after
    the patrol's end (or far in the future) are dropped. ``patrol.kept`` says how many were
    kept. Not audited per point."""
    require(actor, PATROL, allow_system=False, message=_("您的角色不能巡查。"))
    if len(points) > MAX_POINTS:
        raise ValidationError({"points": _("一次最多上传 %(n)s 个点。") % {"n": MAX_POINTS}})
    now = timezone.now()
    with transaction.atomic():
        patrol = _mine(patrol, actor)
        latest = patrol.ended_at or now + FUTURE_SLACK
        fixes = [sampling.Fix(at, lng, lat, acc) for lng, lat, acc, at in points
                 if patrol.started_at - START_SLACK <= at <= latest]
        previous = (sampling.Fix(patrol.last_at, patrol.last_lng, patrol.last_lat)
                    if patrol.last_at is not None else None)
        kept, added = sampling.sample(fixes, previous)
        if kept:
            PatrolPoint.objects.bulk_create(
                [PatrolPoint(patrol=patrol, at=f.at, lng=f.lng, lat=f.lat,
                             accuracy_m=f.accuracy_m) for f in kept], ignore_conflicts=True)
            last = kept[-1]
            patrol.distance_m += added
            patrol.point_count += len(kept)
            patrol.last_lng, patrol.last_lat, patrol.last_at = last.lng, last.lat, last.at
            patrol.last_accuracy_m = last.accuracy_m
            if patrol.start_lng is None:
                first = kept[0]
                patrol.start_lng, patrol.start_lat = first.lng, first.lat
            if not patrol.is_active:
                patrol.end_lng, patrol.end_lat = last.lng, last.lat
            patrol.updated_at = now
            patrol.save(update_fields=[
                "distance_m", "point_count", "last_lng", "last_lat", "last_at",
                "last_accuracy_m", "start_lng", "start_lat", "end_lng", "end_lat",
                "updated_at"])
    patrol.kept = len(kept)
    return patrol


def _end(patrol: Patrol, ended_at, *, kind, lng=None, lat=None, now) -> None:
    patrol.state, patrol.end_kind, patrol.ended_at = PatrolState.ENDED, kind, ended_at
    patrol.duration_s = max(0, int((ended_at - patrol.started_at).total_seconds()))
    if lng is not None:
        patrol.end_lng, patrol.end_lat = lng, lat
    else:
        patrol.end_lng, patrol.end_lat = patrol.last_lng, patrol.last_lat
    patrol.updated_at = now
    patrol.save(update_fields=["state", "end_kind", "ended_at", "duration_s", "end_lng",
                               "end_lat", "updated_at"])


def stop_patrol(patrol, *, ended_at=None, lng=None, lat=None, actor) -> Patrol:
    """End the worker's own patrol at ``ended_at`` (the device's time, default now). Time and
    distance are kept on it for the assessment. Stopping an ended patrol answers it as is."""
    require(actor, PATROL, allow_system=False, message=_("您的角色不能巡查。"))
    now = timezone.now()
    ended_at = _instant(ended_at, "ended_at", now=now)
    lng, lat = _position(lng, lat)
    with transaction.atomic():
        patrol = _mine(patrol, actor)
        if not patrol.is_active:
            return patrol
        if ended_at < patrol.started_at:
            raise ValidationError({"ended_at": _("结束时间不能早于开始时间。")})
        before = _state(patrol)
        _end(patrol, ended_at, kind=EndKind.STOPPED, lng=lng, lat=lat, now=now)
        record("patrols.stop", actor=actor, obj=patrol, before=before, after=_state(patrol))
    return patrol


def end_stale_patrols(now=None) -> int:
    """End every patrol left active for more than 12 hours at its last point (the system's
    act, audited); the number ended. Run by the periodic job (``autoend``)."""
    now = now or timezone.now()
    ended = 0
    stale = (Patrol.objects.filter(state=PatrolState.ACTIVE,
                                   started_at__lt=now - AUTO_END_AFTER)
             .values_list("pk", flat=True))
    for pk in list(stale):
        with transaction.atomic():
            patrol = (Patrol.objects.select_for_update()
                      .filter(Q(pk=pk, state=PatrolState.ACTIVE)).first())
            if patrol is None:
                continue
            before = _state(patrol)
            _end(patrol, patrol.last_at or patrol.started_at, kind=EndKind.AUTO, now=now)
            record("patrols.auto_end", actor=None, obj=patrol, before=before,
                   after=_state(patrol), remark=_("巡查超过 12 小时未结束,按最后定位自动结束。"))
            ended += 1
    return ended


def record_patrol(worker, *, client_id, fixes, actor=None) -> Patrol:
    """Record a whole past patrol of ``worker`` from its fixes (``sampling.Fix``), ended at
    the last one: the system loader's verb for patrols walked before this platform (the demo
    history, a migration from a previous patrol system). A client id already known answers
    its patrol. Audited."""
    from gridgov.areas.models import Area

    require(actor, PATROL, message=_("您的角色不能巡查。"))
    fixes = sorted(fixes, key=lambda f: f.at)
    if not fixes:
        raise ValidationError({"points": _("没有轨迹点。")})
    code = patrol_area(worker)
    now = timezone.now()
    kept, distance = sampling.sample(fixes)
    first, last = fixes[0], fixes[-1]
    with transaction.atomic():
        known = Patrol.objects.filter(worker=worker, client_id=client_id).first()
        if known is not None:
            return known
        patrol = Patrol.objects.create(
            worker=worker, client_id=client_id, area_code=code,
            grid=Area.objects.filter(code=code).first(), state=PatrolState.ENDED,
            end_kind=EndKind.STOPPED, started_at=first.at, ended_at=last.at,
            duration_s=int((last.at - first.at).total_seconds()), distance_m=distance,
            point_count=len(kept), start_lng=first.lng, start_lat=first.lat,
            end_lng=kept[-1].lng, end_lat=kept[-1].lat, last_lng=kept[-1].lng,
            last_lat=kept[-1].lat, last_at=kept[-1].at, last_accuracy_m=kept[-1].accuracy_m,
            created_at=now, updated_at=now)
        PatrolPoint.objects.bulk_create([PatrolPoint(patrol=patrol, at=f.at, lng=f.lng,
                                                     lat=f.lat, accuracy_m=f.accuracy_m)
                                         for f in kept])
        record("patrols.record", actor=actor, obj=patrol, new_chain=True,
               after=_state(patrol))
    return patrol


def seen_at():
    """When an event was seen: the device's ``observed_at`` (发现时间), else the receipt
    time (``created_at``, for events from before ``observed_at`` was kept)."""
    return Coalesce("observed_at", "created_at")
