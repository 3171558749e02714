"""Locating a written address inside the district: against its own houses and organisations
(the base data), falling back to the named community or street (``areas``).

Open311 clients (a hotline, a partner's system) often have an address and no coordinates;
an event needs a point and a grid. ``locate(text, address_id)`` answers a ``Located``: the
WGS-84 point, the grid, what matched (``source``) and a label to show back. In order:

1. ``address_id``: a house id (``House.pk``, digits, optionally ``H`` before them) or an
   organisation's 统一社会信用代码 (18 characters);
2. the text names an organisation (its full name, 4 characters or more);
3. the text carries a door number, ``<road><n>号`` (路/街/巷/弄/道/大道): the house at that
   address (and its 单元 and room when the text has them), else an organisation there;
4. the text names a community (``西门社区``) or a street / town (``鼓楼街道``, ``高桥镇``),
   by its full name: a point in that unit (inside the grid that holds the unit's inner point,
   else its first grid by code) — the report lands in the unit and the command room places
   it precisely;
5. nothing: ``None``.

Text is compared after NFKC (full-width digits and letters become ASCII) with spaces and
punctuation removed, so ``中山西路 １０ 号`` matches ``中山西路10号``. Only the longest road
suffix counts (``中山西路1号`` never matches ``中山西路11号``). Reading base data here is not
a person's read: nothing about the house but its position leaves this module, and the label
names the building's address, never a room or an owner.
"""

import re
import unicodedata
from dataclasses import dataclass

import shapely
from django.db.models import F, Q, Value
from django.db.models.functions import Length

from gridgov.areas.choices import Level
from gridgov.areas.geometry import area_shape
from gridgov.areas.index import OutsideJurisdiction, lookup_grid
from gridgov.areas.models import Area

from .models import House, Organisation

# Where the located point came from, best first.
SOURCES = ("address_id", "organisation", "house", "address", "community", "street")
_DROP = re.compile(r"[\s\-—–_·,,。.、;;::()()\[\]【】#/\\'\"“”]+")
_DOOR = re.compile(r"(?P<road>[\u4e00-\u9fff]{1,20}?(?:大道|路|街|巷|弄|道))(?P<num>\d{1,5})号")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}
_UNIT = re.compile(r"(\d{1,3})单元")
_ROOM = re.compile(r"(\d{1,5})")  # the digits right after the 单元
# A road suffix shorter than this (``西路``) names too many roads to trust.
MIN_ROAD_CHARS = 3
MIN_NAME_CHARS = 4
UNIT_LEVELS = (Level.COMMUNITY, Level.STREET)


@dataclass
class Located:
    """A located address: the WGS-84 point, its grid, what matched and what to show back."""

    lng: float
    lat: float
    grid: Area
    source: str
    label: str


def normalise(text: str) -> str:
    """``text`` for comparison: NFKC, no spaces, punctuation, control or format characters
    (a NUL cannot reach PostgreSQL's text; a zero-width space should not stop a match)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    return _DROP.sub("", text)


def _grid_point(grid: Area) -> tuple[float, float]:
    point = shapely.get_coordinates(area_shape(grid).representative_point())[0]
    return float(point[0]), float(point[1])


def _at(lng, lat, fallback_grid, source, label) -> Located | None:
    """The point if it lies in a grid of the district, else a point inside the record's own
    grid (a house whose surveyed point is missing or off by a street)."""
    if lng is not None and lat is not None:
        try:
            grid = lookup_grid(lng, lat)
        except OutsideJurisdiction:
            grid = None
        if grid is not None:
            return Located(float(lng), float(lat), grid, source, label)
    if fallback_grid is None:
        return None
    glng, glat = _grid_point(fallback_grid)
    return Located(glng, glat, fallback_grid, source, label)


def _house_located(house, source) -> Located | None:
    lng, lat = house.lng, house.lat
    if (lng is None or lat is None) and house.building_id:
        lng, lat = house.building.lng, house.building.lat
    return _at(lng, lat, house.grid, source, house.address)


def _organisation_located(org, source) -> Located | None:
    lng, lat = org.lng, org.lat
    if (lng is None or lat is None) and org.house_id:
        lng, lat = org.house.lng, org.house.lat
    return _at(lng, lat, org.grid, source, org.name)


def _by_id(address_id: str) -> Located | None:
    raw = normalise(address_id).upper()
    digits = raw[1:] if raw.startswith("H") else raw
    if digits.isdigit() and len(digits) <= 12:
        house = House.objects.select_related("grid", "building").filter(pk=int(digits)).first()
        if house is not None:
            return _house_located(house, "address_id")
    if len(raw) == 18:
        org = Organisation.objects.select_related("grid", "house").filter(uscc=raw).first()
        if org is not None:
            return _organisation_located(org, "address_id")
    return None


def _by_organisation_name(text: str) -> Located | None:
    # The text contains the name: one query, the longest name first.
    org = (Organisation.objects.select_related("grid", "house")
           .alias(text=Value(text), name_length=Length("name"))
           .filter(name_length__gte=MIN_NAME_CHARS, text__contains=F("name"))
           .order_by("-name_length", "pk").first())
    return _organisation_located(org, "organisation") if org else None


def _door_suffixes(text: str) -> list[str]:
    """Every ``<road suffix><n>号`` in the text, longest first (``鼓楼街道中山西路1号``,
    ``楼街道中山西路1号``, ..., ``山西路1号``)."""
    out = []
    for match in _DOOR.finditer(text):
        road, number = match.group("road"), match.group("num")
        for start in range(len(road) - MIN_ROAD_CHARS + 1):
            out.append(f"{road[start:]}{number}号")
    return sorted(set(out), key=len, reverse=True)


def _best_suffix(values, suffixes) -> str | None:
    for suffix in suffixes:  # longest first
        if any(normalise(v).endswith(suffix) for v in values):
            return suffix
    return None


def _by_door(text: str) -> Located | None:
    suffixes = _door_suffixes(text)
    if not suffixes:
        return None
    match_any = Q()
    for suffix in suffixes:
        match_any |= Q(address__endswith=suffix)
    houses = list(House.objects.select_related("grid", "building").filter(match_any)
                  .order_by("address", "unit", "room", "pk")[:500])
    best = _best_suffix([h.address for h in houses], suffixes)
    if best is not None:
        houses = [h for h in houses if normalise(h.address).endswith(best)]
        rest = text[text.find(best) + len(best):] if best in text else ""
        unit = _UNIT.search(rest)
        room = _ROOM.match(rest, unit.end()) if unit else None
        exact = [h for h in houses
                 if room and normalise(h.unit) in (unit.group(0), unit.group(1))
                 and normalise(h.room) == room.group(1)]
        if exact:
            return _house_located(exact[0], "house")
        return _house_located(houses[0], "address")
    orgs = list(Organisation.objects.select_related("grid", "house").filter(match_any)
                .order_by("pk")[:50])
    best = _best_suffix([o.address for o in orgs], suffixes)
    if best is not None:
        org = next(o for o in orgs if normalise(o.address).endswith(best))
        located = _organisation_located(org, "address")
        if located is not None:
            located.label = org.address
        return located
    return None


def _first_grid(unit: Area) -> Area | None:
    return (Area.objects.current().filter(level=Level.GRID, code__startswith=unit.code)
            .order_by("code").first())


def _by_unit(text: str) -> Located | None:
    """The community or street the text names (the longest name; a community before the
    street it lies in, as it is the smaller unit)."""
    units = (Area.objects.current().filter(level__in=UNIT_LEVELS)
             .alias(text=Value(text), name_length=Length("name"))
             .filter(name_length__gte=2, text__contains=F("name")))
    ranked = sorted(units, key=lambda a: (a.level != Level.COMMUNITY, -len(a.name), a.code))
    for unit in ranked:
        point = shapely.get_coordinates(area_shape(unit).representative_point())[0]
        try:
            grid = lookup_grid(float(point[0]), float(point[1]))
        except OutsideJurisdiction:
            grid = None
        if grid is None or not grid.code.startswith(unit.code):
            grid = _first_grid(unit)
            if grid is None:
                continue
            lng, lat = _grid_point(grid)
        else:
            lng, lat = float(point[0]), float(point[1])
        label = unit.name
        if unit.level == Level.COMMUNITY and unit.parent_id:
            label = f"{Area.objects.only('name').get(pk=unit.parent_id).name} {unit.name}"
        return Located(lng, lat, grid, str(unit.level), label)
    return None


def locate(text: str = "", address_id: str = "") -> Located | None:
    """Where ``address_id`` or the written address ``text`` lies in the district, or
    ``None`` when neither matches anything (see the module docstring for the order)."""
    if address_id:
        found = _by_id(address_id)
        if found is not None:
            return found
    text = normalise(text)
    if not text:
        return None
    for finder in (_by_organisation_name, _by_door, _by_unit):
        found = finder(text)
        if found is not None:
            return found
    return None
