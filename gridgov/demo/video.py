"""Demo cameras of the video resource platform: exactly 3,377 cameras of four departments
across the district (the number the district brought into sharing), and the grants that
make them usable in the command room.

- 区公安分局 (D015): 1,842 cameras, conditional; granted by role to the command room
  (intake_clerk, shift_leader, dispatcher) and to 区综合行政执法局 (D034);
- 区综合行政执法局 (D034): 786, unconditional;
- 区交通运输局 (D023): 512, unconditional;
- 区水利局 (D025): 237, a third of them (reservoirs, sluices) not shared, the rest
  unconditional.

Cameras stand inside the district's grids, denser in the old-city streets than in the towns
and the mountain township; each gets a valid GB/T 28181 code (centre 33020300), a plausible
name and place, and a status (about 95 % online). Four cameras (two 公安, two 城管) stand
within 150 m of each of the first four 鼓楼 grids' demo events, so the command room always
finds cameras near its cases. Deterministic (seeded); idempotent (codes already present are
skipped, an existing grant is kept). Written with ``actions.bulk_register`` (one bulk insert,
one audit record) to keep the demo load fast. Stream URLs are left empty.
"""

import datetime as dt
import math
import random

import numpy as np
import shapely

from gridgov.accounts.models import Department
from gridgov.areas.index import get_index
from gridgov.areas.models import Area

TOTAL = 3377
SEED = 28181
CENTRE = "33020300"
# owner code: (count, industry code, network digit, sharing)
DEPARTMENTS = {
    "D015": (1842, "00", "5", "conditional"),
    "D034": (786, "05", "6", "unconditional"),
    "D023": (512, "04", "6", "unconditional"),
    "D025": (237, "06", "6", "mixed"),
}
COMMAND_ROLES = ("intake_clerk", "shift_leader", "dispatcher")
GULOU = "330203005"
NEAR_EVENTS = 4          # the first four 鼓楼 grids carry the demo events
NEAR_METRES = (40, 150)

ROADS = ["中山西路", "中山东路", "解放北路", "解放南路", "公园路", "县前街", "孝闻街", "永寿街",
         "镇明路", "呼童街", "柳汀街", "望京路", "环城西路", "苍松路", "蓝天路", "气象路",
         "丽园北路", "丽园南路", "长春路", "大卿桥路", "段塘西路", "雅戈尔大道", "鄞县大道",
         "机场路", "高桥路", "集士港路", "古林大道", "横街路", "鄞江路", "章水路", "望春路",
         "翠柏路", "西河街", "永丰路", "海曙路", "药行街", "灵桥路", "南站西路"]
RIVERS = ["南塘河", "西塘河", "中塘河", "前塘河", "樟溪", "鄞江", "小溪港", "后塘河"]
WATER_WORKS = ["皎口水库", "周公宅水库", "它山堰", "高桥闸", "新石碶闸", "段塘泵站",
               "洞桥翻水站"]
POLICE_PLACES = ["路口", "交叉口", "人行横道", "地铁站出入口", "公交站", "小区门口", "小区东门",
                 "小区西门", "广场", "商业街北口", "商业街南口", "菜场门口", "学校门口",
                 "医院门口", "银行网点", "停车场出入口", "桥头"]
CITY_PLACES = ["沿街店铺", "夜市", "菜场周边", "垃圾中转站", "公厕旁", "绿地", "背街小巷",
               "建筑工地围挡", "广告牌", "河道沿岸"]
TRAFFIC_PLACES = ["卡口", "信号灯路口", "公交首末站", "公交站台", "停车场", "隧道口", "桥梁",
                  "出租车候客点"]
KINDS = {
    "D015": (["bullet", "dome", "checkpoint", "high_point", "half_dome"], [45, 30, 12, 5, 8]),
    "D034": (["dome", "bullet", "panoramic"], [50, 35, 15]),
    "D023": (["checkpoint", "bullet", "dome"], [50, 35, 15]),
    "D025": (["high_point", "panoramic", "bullet"], [35, 25, 40]),
}
NOT_SHARED_BASIS = ("涉及水库大坝、水闸等重要水利工程的安全保卫,依据《水库大坝安全管理条例》"
                    "《中华人民共和国反恐怖主义法》不予共享。")
POLICE_CONDITION = "用于指挥中心和综合执法的事件处置与核查,按事由调阅,调阅全程留痕。"


def _weight(code: str) -> float:
    """Cameras per grid: the old-city streets are dense, the towns less, the township least."""
    unit = int(code[6:9])
    return 4.0 if unit < 100 else (1.0 if unit < 200 else 0.4)


def _points_in(geom, n, rng) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = geom.bounds
    out = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, n * 3 + 8)
        ys = rng.uniform(miny, maxy, n * 3 + 8)
        inside = shapely.contains_xy(geom, xs, ys)
        out.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
    return out[:n]


def _offset(lng, lat, metres, bearing):
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return lng + dlng, lat + dlat


def _name(owner, rnd, community, n):
    road = rnd.choice(ROADS)
    if owner == "D015":
        place = rnd.choice(POLICE_PLACES)
        if place in ("路口", "交叉口"):
            other = rnd.choice([r for r in ROADS if r != road])
            return f"{road}与{other}{place}", f"{road}与{other}交叉口东北角立杆"
        if place.startswith("小区"):
            return f"{community}{place}", f"{community}{place}门岗上方"
        return f"{road}{place}", f"{road}{place}旁立杆"
    if owner == "D034":
        place = rnd.choice(CITY_PLACES)
        return f"{road}{place}", f"{community}{road}{place}"
    if owner == "D023":
        place = rnd.choice(TRAFFIC_PLACES)
        return f"{road}{place}{n % 4 + 1}号", f"{road}{place}龙门架"
    if rnd.random() < 0.3:
        work = rnd.choice(WATER_WORKS)
        return f"{work}{rnd.choice(['坝顶', '闸室', '进水口', '泄洪道'])}", work
    river = rnd.choice(RIVERS)
    return f"{river}{road}段水位监测", f"{river}{road}桥下游护岸"


def _plan(rng, codes, counts):
    """How many cameras of each owner each grid gets (weighted by ``_weight``)."""
    weights = np.array([_weight(code) for code in codes])
    weights /= weights.sum()
    return {owner: rng.multinomial(n, weights) for owner, n in counts.items()}


def build(seed: int = SEED) -> list:
    """The 3,377 demo ``Camera`` rows (unsaved), placed and named; deterministic.

    The grids' outlines come from the point index (already built and prepared, so nothing
    decodes GeoJSON here); each grid's cameras are sampled inside it in one batch."""
    from gridgov.video.models import Camera

    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    index = get_index()
    geoms, grid_ids = index.polygons()
    info = {pk: (code, community) for pk, code, community in
            Area.objects.filter(pk__in=[int(i) for i in grid_ids])
            .values_list("pk", "code", "parent__name")}
    grids = [(int(pk), geom) for pk, geom in zip(grid_ids, geoms, strict=True)]
    codes = [info[pk][0] for pk, _geom in grids]
    owners = {d.code: d for d in Department.objects.filter(code__in=DEPARTMENTS)}
    gulou = [(pk, geom) for pk, geom in grids if info[pk][0].startswith(GULOU)]
    near = _near_event_points([geom for _pk, geom in gulou[:NEAR_EVENTS]], index)
    counts = {code: spec[0] for code, spec in DEPARTMENTS.items()}
    # The cameras placed by the events come out of the owners' totals.
    for owner, _lng, _lat in near:
        counts[owner] -= 1
    plan = _plan(rng, codes, counts)
    gulou_name = info[gulou[0][0]][1] if gulou else "鼓楼"
    placed = [(o, x, y, gulou_name) for o, x, y in near]  # (owner, lng, lat, community)
    for i, (pk, geom) in enumerate(grids):
        labels = [owner for owner in DEPARTMENTS for _n in range(int(plan[owner][i]))]
        if not labels:
            continue
        community = info[pk][1] or info[pk][0]
        points = _points_in(geom, len(labels), rng)
        placed.extend((owner, x, y, community)
                      for owner, (x, y) in zip(labels, points, strict=True))
    lngs = np.array([p[1] for p in placed])
    lats = np.array([p[2] for p in placed])
    found = index.lookup_many(lngs, lats)
    sequence = {code: 0 for code in DEPARTMENTS}
    rows = []
    statuses = rng.choice(["online", "offline", "fault"], size=len(placed), p=[0.95, 0.03, 0.02])
    for i, (owner, x, y, community) in enumerate(placed):
        grid_id = int(found[i])
        if grid_id not in info:
            continue  # outside every grid: never for a point sampled inside one
        _count, industry, network, sharing = DEPARTMENTS[owner]
        sequence[owner] += 1
        kind_names, kind_weights = KINDS[owner]
        kind = rnd.choices(kind_names, kind_weights)[0]
        device = "132" if rnd.random() < 0.8 else "131"
        code = f"{CENTRE}{industry}{device}{network}{sequence[owner]:06d}"
        name, place = _name(owner, rnd, community, sequence[owner])
        legal_basis = condition = ""
        if sharing == "mixed":
            sharing = "not_shared" if name.startswith(tuple(WATER_WORKS)) else "unconditional"
        if sharing == "not_shared":
            legal_basis = NOT_SHARED_BASIS
        if sharing == "conditional":
            condition = POLICE_CONDITION
        installed = dt.date(2016, 1, 1) + dt.timedelta(days=rnd.randrange(0, 9 * 365))
        rows.append(Camera(
            code=code, name=name[:100], owner=owners[owner], kind=kind, lng=round(x, 7),
            lat=round(y, 7), place=place[:200], grid_id=grid_id,
            area_code=info[grid_id][0], status=str(statuses[i]), sharing_type=sharing,
            sharing_condition=condition, legal_basis=legal_basis, installed_on=installed))
    return rows


def _near_event_points(gulou_geoms, index):
    """(owner, lng, lat): two 公安 and two 城管 cameras 40–150 m from each demo event's point
    (the representative point of its grid, as ``demo.events`` places them), kept inside 鼓楼
    so the street's command room may use them."""
    out = []
    rnd = random.Random(SEED + 1)
    for geom in gulou_geoms:
        point = geom.representative_point()
        for owner in ("D015", "D015", "D034", "D034"):
            for _attempt in range(40):
                lng, lat = _offset(point.x, point.y, rnd.uniform(*NEAR_METRES),
                                   rnd.uniform(0, 2 * math.pi))
                row = index.lookup_row(lng, lat)
                if row is not None and row[1].startswith(GULOU):
                    out.append((owner, lng, lat))
                    break
    return out


def load(*, stdout=None) -> dict:
    """Create the demo cameras and grants that are missing; idempotent. Returns counts."""
    from gridgov.video import actions

    created = actions.bulk_register(build(), actor=None, source="demo")
    police = Department.objects.get(code="D015")
    zhifa = Department.objects.get(code="D034")
    reason = "指挥中心和综合执法事件处置需要调阅公安视频"
    for role in COMMAND_ROLES:
        actions.grant_cameras(actor=None, owner=police, role=role, reason=reason)
    actions.grant_cameras(actor=None, owner=police, department=zhifa, reason=reason)
    if stdout is not None:
        stdout.write(f"摄像头 cameras: {created} created\n")
    return {"cameras_created": created}
