"""Demo layers of the geographic information service: two departments publish what such
departments do publish.

- 区应急管理局 (D030) ``shelters`` 应急避难场所: the emergency shelter sites (a square or a
  park per street, as polygons), shared unconditionally and open to the public, as shelter
  maps are;
- 区水利局 (D025) ``flood-points`` 防汛易涝点: the points that flood in heavy rain, with their
  risk level, shared on condition (flood-control duty) and granted to 区综合行政执法局 and to
  the command room's shift leaders.

Generated deterministically from the areas (inside their outlines), loaded through the
actions like any upload; idempotent: a layer that exists is left as it is.
"""

import json
import random

from shapely.geometry import Point, box, shape

SHELTER_KINDS = [("Ⅰ类", 5000), ("Ⅱ类", 2000), ("Ⅲ类", 800)]
SHELTER_PLACES = ["公园", "广场", "中学操场", "体育场", "小学操场"]
FLOOD_PLACES = ["路下穿通道", "路与环城西路交叉口", "地下车库入口", "桥下", "菜场周边",
                "老小区低洼处", "路公交站"]
RISK = [("高", 40, 60), ("中", 20, 40), ("低", 10, 20)]


def _inside(area, rng, tries=40):
    polygon = shape(area.geometry)
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(tries):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(p):
            return p.x, p.y
    return area.centroid_lng, area.centroid_lat


def _collection(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode()


def shelters(rng) -> bytes:
    from gridgov.areas.models import Area

    features = []
    for street in Area.objects.current().filter(level="street").order_by("code"):
        x, y = _inside(street, rng)
        kind, capacity = SHELTER_KINDS[rng.randrange(len(SHELTER_KINDS))]
        size = 0.0008 + rng.random() * 0.0012  # 80–200 m across
        place = SHELTER_PLACES[rng.randrange(len(SHELTER_PLACES))]
        features.append({"type": "Feature",
                         "geometry": box(x, y, x + size, y + size * 0.8).__geo_interface__,
                         "properties": {
                             "名称": f"{street.name.removesuffix('街道')}{place}应急避难场所",
                             "类别": kind, "可容纳人数": capacity + rng.randrange(0, 500),
                             "所在街道": street.name, "管理单位": f"{street.name}应急管理办公室",
                             "设施": "应急供水、应急照明、应急厕所"}})
    return _collection(features)


def flood_points(rng) -> bytes:
    from gridgov.areas.models import Area

    features = []
    communities = list(Area.objects.current().filter(level="community").order_by("code"))
    for n, community in enumerate(rng.sample(communities, min(36, len(communities))), 1):
        x, y = _inside(community, rng)
        risk, low, high = RISK[rng.randrange(len(RISK))]
        place = FLOOD_PLACES[rng.randrange(len(FLOOD_PLACES))]
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [round(x, 6),
                                                                       round(y, 6)]},
                         "properties": {
                             "名称": f"{community.name.removesuffix('社区')}{place}",
                             "编号": f"YL{n:03d}", "风险等级": risk,
                             "最大积水深度(厘米)": rng.randrange(low, high),
                             "所在社区": community.name,
                             "处置措施": "临时泵车、警示围挡、专人值守"}})
    return _collection(features)


def load(stdout=None, seed: int = 23) -> dict:
    from gridgov.accounts.models import Department
    from gridgov.gis import actions
    from gridgov.gis.models import Layer

    rng = random.Random(seed)
    created = 0
    specs = [
        ("D030", "shelters", "应急避难场所", "polygon", "unconditional", True, shelters,
         "全区各街道(乡镇)的应急避难场所,含类别和可容纳人数。", ""),
        ("D025", "flood-points", "防汛易涝点", "point", "conditional", False, flood_points,
         "汛期需重点巡查的易积水点位,含风险等级和历史最大积水深度。",
         "用于防汛应急处置和城市管理巡查。"),
    ]
    for owner_code, code, name, kind, sharing, public, build, description, condition in specs:
        if Layer.objects.filter(code=code).exists():
            continue
        owner = Department.objects.get(code=owner_code)
        layer = actions.create_layer(
            actor=None, owner=owner, code=code, name=name, description=description,
            geometry_type=kind, sharing_type=sharing, sharing_condition=condition,
            is_public=public)
        layer = actions.upload_features(layer, actor=None, name=f"{code}.geojson",
                                        data=build(rng))
        layer = actions.update_layer(layer, actor=None, is_published=True)
        if code == "flood-points":
            actions.grant_layers(actor=None, owner=owner, layer=layer, reason="城市管理防汛巡查",
                                 department=Department.objects.get(code="D034"))
            actions.grant_layers(actor=None, owner=owner, layer=layer, reason="指挥中心汛期值班",
                                 role="shift_leader")
        created += 1
    if stdout is not None and created:
        stdout.write(f"图层 gis layers: {created} created\n")
    return {"gis_layers": created}
