"""Evidence rules (取证规则): what completion and verification must carry, per class.

A rule says whether a step needs a photo and whether it needs a place: the position of the
handler's device (WGS-84, as the browser or app reports it) within ``radius_m`` metres of
the event's point. The rule of an event is its minor class's row, else its major class's,
else the global default row, else ``DEFAULT`` (an install whose seed migration was
reversed). The workflow verbs (``actions.workflow``) enforce it for pages, the API and
every other caller; the forms and the API's detail show it beforehand.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import AttachmentKind
from .models import EvidenceRule, MinorCategory

# Steps that report the work done (处置完毕, 自行处置) and the grid's check (核查).
COMPLETE, VERIFY = "complete", "verify"
STEP_OF = {"complete": COMPLETE, "resolve_on_spot": COMPLETE, "verify": VERIFY}
STEP_LABELS = {COMPLETE: gettext_lazy("处置完毕"), VERIFY: gettext_lazy("核查")}
RULE_FIELDS = ("complete_photo", "complete_place", "verify_photo", "verify_place", "radius_m")

# The seeded default: a physical problem closes only on a photo of the result. Classes whose
# work is talking to people (disputes, petitions, services to people, livelihood requests:
# mediation, an answer, a visit) need none; 环境卫生诉求 is physical again. Place optional.
DEFAULT = {"complete_photo": True, "complete_place": False, "verify_photo": True,
           "verify_place": False, "radius_m": 200}
NO_PHOTO = {**DEFAULT, "complete_photo": False, "verify_photo": False}
SEED_MAJORS = {"11": NO_PHOTO, "14": NO_PHOTO, "15": NO_PHOTO, "31": NO_PHOTO}
SEED_MINORS = {"3105": DEFAULT}
MAX_RADIUS_M = 5000
EARTH_RADIUS_M = 6371008.8


@dataclass(frozen=True)
class Requirement:
    """What one step of one event needs, and which rule says so (for messages and pages)."""

    photo: bool
    place: bool
    radius_m: int
    source: str  # "minor", "major", "global" or "built_in"

    @property
    def hint(self) -> str:
        """The line a form shows under its attachments (empty when nothing is required)."""
        parts = []
        if self.photo:
            parts.append(_("必须上传现场照片"))
        if self.place:
            parts.append(_("须在事件位置 %(m)s 米内定位") % {"m": self.radius_m})
        return ";".join(parts)


def rule_values(category) -> tuple[dict, str]:
    """The effective rule of a minor class (None: an event without class) and its source."""
    wanted = Q(is_global=True)
    if category is not None:
        wanted |= Q(category_id=category.pk) | Q(major_id=category.major_id)
    rows = EvidenceRule.objects.filter(wanted)  # one query, at most three rows
    found = {("minor" if r.category_id else "major" if r.major_id else "global"): r
             for r in rows}
    for source in ("minor", "major", "global"):
        if source in found:
            return {f: getattr(found[source], f) for f in RULE_FIELDS}, source
    return dict(DEFAULT), "built_in"


def parent_values(*, category=None, major=None) -> tuple[dict, str]:
    """The rule a class (or, with neither, the global default) follows without its own row:
    the major class's, else the global default, else ``DEFAULT``; and its source."""
    if category is not None:
        major = category.major
    rows = {("major" if r.major_id else "global"): r for r in EvidenceRule.objects.filter(
        Q(is_global=True) | Q(major_id=getattr(major, "pk", None)))} if (
        category is not None or major is not None) else {}
    for source in ("major", "global"):
        if source in rows and not (source == "major" and category is None):
            return {f: getattr(rows[source], f) for f in RULE_FIELDS}, source
    return dict(DEFAULT), "built_in"


def requirement(event_or_category, action) -> Requirement | None:
    """What ``action`` (complete, resolve_on_spot, verify) needs on this event or class."""
    step = STEP_OF.get(action)
    if step is None:
        return None
    category = getattr(event_or_category, "category", event_or_category)
    values, source = rule_values(category)
    return Requirement(photo=values[f"{step}_photo"], place=values[f"{step}_place"],
                       radius_m=values["radius_m"], source=source)


def requirements(events, action) -> dict:
    """``requirement`` for many events (or minor classes) at once, for a list page:
    ``{pk: Requirement}``, reading the rules in one query (a row per class at most)."""
    step = STEP_OF[action]
    rules = {("minor", r.category_id) if r.category_id else ("major", r.major_id)
             if r.major_id else ("global", None): r for r in EvidenceRule.objects.all()}
    out = {}
    for event in events:
        category = event if isinstance(event, MinorCategory) else (
            event.category if event.category_id else None)
        keys = [("global", None)]
        if category is not None:
            keys = [("minor", category.pk), ("major", category.major_id), *keys]
        found = next(((k[0], rules[k]) for k in keys if k in rules), None)
        values = ({f: getattr(found[1], f) for f in RULE_FIELDS} if found else DEFAULT)
        out[event.pk] = Requirement(photo=values[f"{step}_photo"],
                                    place=values[f"{step}_place"],
                                    radius_m=values["radius_m"],
                                    source=found[0] if found else "built_in")
    return out


def distance_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance in metres (haversine; WGS-84 points, short distances)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def parse_place(lng, lat) -> tuple[float, float] | None:
    """The device's position from form or JSON input (None when neither is given)."""
    if lng in (None, "") and lat in (None, ""):
        return None
    try:
        point = float(lng), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"lng": _("定位坐标无效。")}) from None
    if not (-180 <= point[0] <= 180 and -90 <= point[1] <= 90):
        raise ValidationError({"lng": _("定位坐标无效。")})
    return point


MAX_ACCURACY_M = 100_000
# How far the device's clock may run ahead of the server's, and how old a fix may be (a
# step queued offline is sent when the network returns, within days).
FIX_FUTURE = dt.timedelta(minutes=5)
FIX_MAX_AGE = dt.timedelta(days=7)


def parse_fix(accuracy_m, position_at, *, now=None) -> tuple[float | None, dt.datetime | None]:
    """The accuracy (metres) and time of the device's fix, as the field terminal sends them
    with ``lng``/``lat`` (both optional; ``ValidationError`` naming the field when invalid)."""
    accuracy = None
    if accuracy_m not in (None, ""):
        try:
            accuracy = float(accuracy_m)
        except (TypeError, ValueError):
            raise ValidationError({"accuracy_m": _("定位精度应为米数。")}) from None
        if not (math.isfinite(accuracy) and 0 <= accuracy <= MAX_ACCURACY_M):
            raise ValidationError({"accuracy_m": _("定位精度应为米数。")})
    at = None
    if position_at not in (None, ""):
        at = parse_datetime(str(position_at).strip().replace("Z", "+00:00"))
        if at is None:
            raise ValidationError({"position_at": _("定位时间格式无效。")})
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        now = now or timezone.now()
        if at > now + FIX_FUTURE or at < now - FIX_MAX_AGE:
            raise ValidationError({"position_at": _("定位时间不能晚于现在,也不能早于 7 天前。")})
    return accuracy, at


def check(event, action, prepared, place, fix=(None, None)) -> dict:
    """Refuse the step when its rule is not met (``ValidationError`` naming the field);
    return what the audit record keeps of the place (empty when none was given): the point,
    its distance to the event in metres, the rule's radius then, and the fix's accuracy and
    time when the device gave them. ``actions.base.trace`` copies them onto the step row.

    ``prepared``: the step's attachments as ``actions.files.prepare_attachments`` made them
    (their kind read from the bytes, so a renamed file is no photo); ``place``: (lng, lat);
    ``fix``: (accuracy in metres, time) from ``parse_fix``.
    """
    need = requirement(event, action)
    if need is None:
        return {}
    if need.photo and not any(p["kind"] == AttachmentKind.PHOTO for p in prepared):
        step = STEP_LABELS[STEP_OF[action]]
        raise ValidationError({"attachments": _("本类事件%(step)s须上传现场照片。")
                               % {"step": step}})
    if place is None:
        if need.place:
            raise ValidationError({"lng": _("本类事件须提供现场定位(事件位置 %(m)s 米内)。")
                                   % {"m": need.radius_m}})
        return {}
    distance = round(distance_m(place[0], place[1], event.lng, event.lat))
    if need.place and distance > need.radius_m:
        raise ValidationError({"lng": _(
            "定位距事件位置 %(d)s 米,超出 %(m)s 米范围,请到现场后再提交。")
            % {"d": distance, "m": need.radius_m}})
    out = {"place": [round(place[0], 6), round(place[1], 6)], "place_distance_m": distance,
           "place_radius_m": need.radius_m}
    accuracy, at = fix
    if accuracy is not None:
        out["place_accuracy_m"] = round(accuracy)
    if at is not None:
        out["place_at"] = at.isoformat()
    return out
