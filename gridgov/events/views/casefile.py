"""The event page as a case file (案卷): what the detail view adds to the facts and timeline.

- the map: the event's point, its grid's outline and what lies near it (``NEARBY_SOURCES``:
  today the other reports within ``NEARBY_RADIUS_M``; a camera registry plugs in as a second
  source), in the datum of the tile server like every other map;
- the photos: those of the report (before) beside those of the completion (after), then any
  taken at verification; one copy per photo (the original for staff holding the event by role,
  the public copy for a reader who sees the event only as its reporter);
- the next steps: each action open to the reader, with what it will do (the state it leads
  to, the department a dispatch goes to, the evidence it needs).

Everything is read through ``Event.objects.restrict()``; nothing here writes.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from gridgov.areas import datum
from gridgov.core.querysets import VIEW
from gridgov.web.basemap import basemap_config

from ..choices import AttachmentKind, State
from ..models import Event
from ..workflow import TRANSITIONS
from .lists import detail_url

NEARBY_RADIUS_M = 500
NEARBY_DAYS = 90
NEARBY_LIMIT = 20
# Candidates read from the bounding square before the exact distance is taken.
NEARBY_CANDIDATES = 200
EARTH_RADIUS_M = 6_371_000

# Which photos are "before" and which "after"; any other step's photos are shown after them.
BEFORE_STEPS = frozenset({"report"})
AFTER_STEPS = frozenset({"complete", "resolve_on_spot"})

# Actions whose consequence cannot be undone by the next person in the loop (listed last).
DANGER_ACTIONS = frozenset({"void", "not_file", "return"})
# The step that moves the case forward, listed first and drawn as the primary button.
FORWARD_ACTIONS = frozenset({"release_held", "register", "file", "dispatch", "claim",
                             "complete", "verify", "resume", "decide_extension",
                             "decide_suspension", "evaluate"})

# What an action does beyond the state it leads to (shown on its button's fold).
CONSEQUENCES = {
    "register": gettext_lazy("受理后交值班长立案。"),
    "file": gettext_lazy("立案后进入派遣环节。"),
    "not_file": gettext_lazy("不予立案后事件结束,理由记入留痕。"),
    "void": gettext_lazy("作废后事件结束,不再办理。"),
    "claim": gettext_lazy("签收后由本部门处置。"),
    "return": gettext_lazy("退回指挥中心重新派遣。"),
    "request_extension": gettext_lazy("提交后由指挥中心审批;批准前时限不变。"),
    "decide_extension": gettext_lazy("同意则处置时限按申请顺延。"),
    "request_suspension": gettext_lazy("提交后由指挥中心审批挂账。"),
    "decide_suspension": gettext_lazy("同意则事件挂账,暂停办理。"),
    "resume": gettext_lazy("恢复后重新进入派遣环节。"),
    "complete": gettext_lazy("提交后交网格员现场核查。"),
    "verify": gettext_lazy("核查通过即结案;不通过退回部门继续处置。"),
    "resolve_on_spot": gettext_lazy("提交后交现场核查,无需派遣。"),
    "escalate": gettext_lazy("交上一处置层级办理。"),
    "supervise": gettext_lazy("事件标记为督办,办理人会收到提醒。"),
    "evaluate": gettext_lazy("评价记入事件,不改变状态。"),
    "release_held": gettext_lazy("放行则进入受理;不放行则作废。"),
}


# --- map --------------------------------------------------------------------------------------


def map_crs() -> str:
    """The datum the page's map draws in: GCJ-02 only under a GCJ-02 tile server."""
    tiles = bool(settings.GRIDGOV_TILE_URL)
    return "gcj02" if tiles and settings.GRIDGOV_TILE_CRS == "gcj02" else "wgs84"


def _to_map(lng, lat, crs) -> list[float]:
    lng, lat = datum.from_wgs84(lng, lat, crs)
    return [round(lat, 6), round(lng, 6)]


def distance_m(lng1, lat1, lng2, lat2) -> float:
    """Great-circle distance in metres (haversine; plenty at a few hundred metres)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


@dataclass
class NearbyItem:
    """One thing drawn and listed near the event (a report today, a camera later)."""

    kind: str
    title: str
    subtitle: str
    state: str
    state_label: str
    distance: int
    lng: float
    lat: float
    url: str
    at: object = None


def nearby_reports(event, user, now) -> list[NearbyItem]:
    """Other events the reader may see within ``NEARBY_RADIUS_M`` reported in the last
    ``NEARBY_DAYS`` days, nearest first, at most ``NEARBY_LIMIT`` (one query)."""
    dlat = NEARBY_RADIUS_M / 111_320
    dlng = dlat / max(math.cos(math.radians(event.lat)), 0.01)
    rows = (Event.objects.restrict(user, VIEW)
            .filter(lng__range=(event.lng - dlng, event.lng + dlng),
                    lat__range=(event.lat - dlat, event.lat + dlat),
                    created_at__gte=now - dt.timedelta(days=NEARBY_DAYS))
            .exclude(pk=event.pk)
            .select_related("category")
            .only("id", "number", "state", "lng", "lat", "created_at", "category__name")
            .order_by("-created_at")[:NEARBY_CANDIDATES])
    items = []
    for row in rows:
        metres = distance_m(event.lng, event.lat, row.lng, row.lat)
        if metres > NEARBY_RADIUS_M:
            continue
        items.append(NearbyItem(
            kind="report", title=row.number,
            subtitle=row.category.name if row.category_id else "",
            state=row.state, state_label=str(row.get_state_display()),
            distance=round(metres), lng=row.lng, lat=row.lat, url=detail_url(row),
            at=row.created_at))
    items.sort(key=lambda item: item.distance)
    return items[:NEARBY_LIMIT]


# What the case map shows around the point: (key, heading, source(event, user, now)[, text
# when empty]); a source answers a list, or None when it is not for this reader. The camera
# registry adds ("cameras", _("附近的摄像头"), ...) here (gridgov.video); the page lists and
# draws every source the same way.
NEARBY_SOURCES = [
    ("reports", gettext_lazy("附近的事件"), nearby_reports),
]


def grid_outline(event, crs):
    """The event's grid as a GeoJSON feature in the map's datum (None without outline)."""
    grid = event.grid if event.grid_id else None
    geometry = getattr(grid, "geometry", None)
    if not geometry:
        return None
    if crs == "gcj02":
        geometry = datum.geometry_wgs84_to_gcj02(geometry)
    return {"type": "Feature", "geometry": geometry,
            "properties": {"name": grid.name, "code": grid.code}}


def nearby(event, user) -> list[dict]:
    """Each source's items for the reader; a source answering None is left out (it is not
    for this reader: cameras, to one who may use none)."""
    now = timezone.now()
    groups = []
    for key, heading, source, *empty in NEARBY_SOURCES:
        items = source(event, user, now)
        if items is not None:
            groups.append({"key": key, "heading": str(heading), "items": items,
                           "empty": str(empty[0]) if empty else _("附近没有其他事件。")})
    return groups


def map_config(event, groups) -> dict:
    """The case map's JSON configuration (``#gg-case-map-config``)."""
    crs = map_crs()
    return {
        "crs": crs,
        "tileUrl": settings.GRIDGOV_TILE_URL,
        "tileAttribution": settings.GRIDGOV_TILE_ATTRIBUTION,
        "basemap": basemap_config(),
        "point": _to_map(event.lng, event.lat, crs),
        "number": event.number,
        "grid": grid_outline(event, crs),
        "radius": NEARBY_RADIUS_M,
        "nearby": [
            {"key": group["key"], "items": [
                {"kind": item.kind, "title": item.title, "subtitle": item.subtitle,
                 "state": item.state_label, "status": item.state,
                 "distance": item.distance, "url": item.url,
                 "point": _to_map(item.lng, item.lat, crs)}
                for item in group["items"]]}
            for group in groups],
        "text": {
            "here": _("本事件"),
            "metres": _("%(n)s 米"),
            "open": _("查看案卷"),
            "radius": _("周边 %(n)s 米"),
        },
    }


# --- photos -----------------------------------------------------------------------------------


def photo_groups(entries, originals) -> dict:
    """The photos of the timeline by when they were taken: ``before`` (report), ``after``
    (completion, on-the-spot handling) and ``checks`` (verification and any other step).

    One copy per photo: the original when the reader sees originals, else the public copy.
    Each item is the timeline's attachment dict (``url``, ``thumb_url``, ``label``...)."""
    groups = {"before": [], "after": [], "checks": []}
    for entry in entries:
        group = ("before" if entry.action in BEFORE_STEPS
                 else "after" if entry.action in AFTER_STEPS else "checks")
        for item in entry.attachments:
            stored = item.get("attachment")
            if stored is None or stored.kind != AttachmentKind.PHOTO or not item.get("url"):
                continue
            if originals and stored.public:
                continue  # the original of the same photo is shown instead
            item["in_grid"] = True
            item["caption"] = " · ".join(
                [str(entry.label), timezone.localtime(entry.at).strftime("%m-%d %H:%M")])
            groups[group].append(item)
    return groups


# --- next steps -------------------------------------------------------------------------------


def _target_text(transition) -> str:
    targets = [t for t in transition.targets if t is not None]
    if len(targets) == 1 and len(transition.targets) == 1:
        return _("状态将变为“%(state)s”。") % {"state": State(targets[0]).label}
    return ""


def _dispatch_text(event) -> str:
    default = event.category.default_department if event.category_id else None
    if default is not None and default.is_active:
        return _("将派往:%(name)s(可改选)。") % {"name": default.name}
    return _("该小类没有默认部门,需选择责任部门或派往所在网格。")


def _sentences(lines) -> str:
    """Sentences run on in Chinese, and take a space between them in English."""
    glue = "" if (get_language() or "").startswith("zh") else " "
    return glue.join(str(line) for line in lines if line)


def next_steps(event, forms) -> list[dict]:
    """Each action form with what posting it does (state, department, evidence): the steps
    forward first (the first of them ``primary``), then the others, the irreversible last."""
    steps = []
    for form in forms:
        action = form.action
        lines = [_target_text(TRANSITIONS[action])]
        if action == "dispatch":
            lines.insert(0, _dispatch_text(event))
        if action in CONSEQUENCES:
            lines.append(str(CONSEQUENCES[action]))
        need = getattr(form, "evidence", None)
        if need is not None and need.photo:
            lines.append(_("须上传现场照片。"))
        steps.append({"form": form, "action": action,
                      "consequence": _sentences(lines),
                      "danger": action in DANGER_ACTIONS,
                      "forward": action in FORWARD_ACTIONS, "primary": False})
    steps.sort(key=lambda step: (not step["forward"], step["danger"]))
    if steps and steps[0]["forward"]:
        steps[0]["primary"] = True
    return steps
