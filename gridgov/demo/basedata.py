"""Demo basic data in the grids of 鼓楼街道: houses, families (with elderly people living alone
and other care groups), organisations and components. Modest and idempotent: records are
recognised by ID number, address, credit code and component code, so a second run writes
nothing. Everything goes through ``gridgov.basedata.actions`` as the system loader.

The names, ID numbers and phones are generated (valid check characters, 170-0000 test phone
range): they belong to nobody.
"""

import datetime as dt
import random

from django.db import transaction
from shapely.geometry import Point, shape
from stdnum.cn import ric, uscc

from gridgov.accounts.models import Department
from gridgov.areas.models import Area

from .users import GULOU_STREET

SEED = 20260401
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华文红玉兰志国海燕国平建国"
STREETS = ["中山西路", "镇明路", "公园路", "鼓楼前", "呼童街", "蔡家巷"]
ORG_WORDS = ["鼓楼", "明州", "甬江", "天封", "海曙", "月湖"]
ORG_KINDS = ["便利店", "餐饮店", "理发店", "物业服务有限公司", "科技有限公司", "药房",
             "文化传媒有限公司", "养老服务中心"]
GRIDS_USED = 4
HOUSES_PER_GRID = 25


def make_id_number(birth: dt.date, seq: int, female: bool, region: str = "330203") -> str:
    """A valid 18-character ID number (GB 11643) for generated test people."""
    order = (seq % 500) * 2 + (0 if female else 1)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    # calc_check_digit wants all 18 characters and ignores the last one: pad with a placeholder.
    return body + ric.calc_check_digit(body + "0")


def legacy_id_number(birth: dt.date, seq: int, female: bool, region: str = "330203") -> str:
    """The number earlier versions generated for the same person: the check character was
    computed over 17 characters with the last body digit dropped, so it fails GB 11643. Kept
    only to find and correct demo people loaded before the fix."""
    order = (seq % 500) * 2 + (0 if female else 1)
    body = f"{region}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body)


def make_uscc(n: int, region: str = "330203") -> str:
    """A valid unified social credit code (GB 32100) for a generated organisation."""
    body = f"92{region}MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body + "0")


def random_point(polygon, rng):
    minx, miny, maxx, maxy = polygon.bounds
    for _ in range(200):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if polygon.contains(p):
            return p.x, p.y
    c = polygon.representative_point()
    return c.x, c.y


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message + "\n")


def load(*, stdout=None) -> dict:
    """Seed the demo basic data; idempotent. Counts of what this run created."""
    from gridgov.basedata import actions
    from gridgov.basedata.models import Component, House, Organisation, Person

    rng = random.Random(SEED)
    counts = {"houses": 0, "people": 0, "organisations": 0, "components": 0,
              "id_numbers_corrected": 0}
    grids = list(Area.objects.filter(code__startswith=GULOU_STREET, level="grid")
                 .order_by("code")[:GRIDS_USED])
    if not grids:
        return counts
    depts = {d.code: d for d in Department.objects.filter(code__in=["D034", "D022", "D025"])}
    existing_houses = set(House.objects.values_list("address", "unit", "room"))
    existing_hashes = set(Person.objects.exclude(id_hash=None).values_list("id_hash", flat=True))
    existing_orgs = set(Organisation.objects.values_list("uscc", flat=True))
    existing_comps = set(Component.objects.values_list("code", flat=True))
    from gridgov.core import personal_data

    seq = 0
    with transaction.atomic():
        for g_index, grid in enumerate(grids):
            polygon = shape(grid.geometry)
            street = STREETS[g_index % len(STREETS)]
            for h in range(HOUSES_PER_GRID):
                lng, lat = random_point(polygon, rng)
                address = f"浙江省宁波市海曙区{street}{10 + g_index * 40 + h // 6}号"
                unit, room = f"{h % 2 + 1}单元", f"{(h % 6) + 1}0{h % 3 + 1}"
                key = (address, unit, room)
                kind = rng.random()
                owner = _name(rng)
                # One house in five: an elderly person living alone; others: a family.
                if key in existing_houses:
                    house = House.objects.get(address=address, unit=unit, room=room)
                else:
                    house = actions.create_house(
                        actor=None, grid=grid, address=address, unit=unit, room=room,
                        lng=lng, lat=lat, owner_name=owner,
                        rental_status="rented" if kind > 0.8 else "self")
                    counts["houses"] += 1
                if kind < 0.2:
                    members = [(rng.randint(1936, 1956), ["独居老人"]
                                + (["高龄老人"] if rng.random() < 0.5 else []), "head")]
                else:
                    head_year = rng.randint(1960, 1992)
                    members = [(head_year, [], "head")]
                    members.append((head_year + rng.randint(-3, 3), [], "spouse"))
                    for _c in range(rng.randint(0, 2)):
                        members.append((head_year + rng.randint(24, 32),
                                        ["留守儿童"] if rng.random() < 0.1 else [], "child"))
                    if rng.random() < 0.3:
                        members.append((head_year - rng.randint(24, 30), ["空巢老人"], "parent"))
                head = None
                for year, tags, relation in members:
                    seq += 1
                    birth = dt.date(min(year, 2024), rng.randint(1, 12), rng.randint(1, 28))
                    female = rng.random() < 0.5
                    number = make_id_number(birth, seq, female)
                    name = _name(rng)
                    floating = rng.random() < 0.15
                    if rng.random() < 0.03:
                        tags = tags + ["残疾人"]
                    if personal_data.lookup_hash(number) in existing_hashes:
                        head = head or Person.objects.by_id_number(number).first()
                        continue
                    legacy = legacy_id_number(birth, seq, female)
                    if personal_data.lookup_hash(legacy) in existing_hashes:
                        # Loaded by an earlier version with a wrong check character: correct it.
                        old = Person.objects.by_id_number(legacy).first()
                        old = actions.update_person(old, actor=None, id_number=number)
                        existing_hashes.add(old.id_hash)
                        counts["id_numbers_corrected"] += 1
                        head = head or old
                        continue
                    person = actions.create_person(
                        actor=None, grid=grid, house=house, name=name, id_number=number,
                        phone=f"170{seq:08d}" if birth.year < 2008 else "",
                        registration_type="floating" if floating else "registered",
                        relation_to_head=relation, household_head=head, tags=tags,
                        address=f"{address}{unit}{room}")
                    if head is None:
                        head = person
                        person = actions.update_person(person, actor=None,
                                                       household_head=person)
                    counts["people"] += 1
            for o in range(8):
                n = g_index * 8 + o + 1
                code = make_uscc(n)
                lng, lat = random_point(polygon, rng)
                name = f"宁波{rng.choice(ORG_WORDS)}{rng.choice(ORG_KINDS)}{n}"
                legal = _name(rng)
                if code in existing_orgs:
                    continue
                actions.create_organisation(
                    actor=None, grid=grid, name=name, uscc=code,
                    org_type="individual" if o % 3 == 0 else "enterprise",
                    legal_representative=legal, address=f"{street}{o + 1}号",
                    lng=lng, lat=lat)
                counts["organisations"] += 1
            for c in range(10):
                major, minor = [("01", "01"), ("01", "02"), ("01", "08"), ("02", "01"),
                                ("03", "02"), ("04", "02"), ("06", "01")][c % 7]
                code = f"330203{major}{minor}{g_index * 10 + c + 1:06d}"
                lng, lat = random_point(polygon, rng)
                if code in existing_comps:
                    continue
                actions.create_component(
                    actor=None, major=major, minor=minor, lng=lng, lat=lat, code=code,
                    state="damaged" if c == 3 else "intact", address=f"{street}沿线",
                    owner_department=depts.get("D034"), maintainer_department=depts.get("D025"))
                counts["components"] += 1
    created = {k: v for k, v in counts.items() if k != "id_numbers_corrected"}
    _say(stdout, "基础数据 basic data: " + ", ".join(f"{v} {k}" for k, v in created.items())
         + " created" + (f", {counts['id_numbers_corrected']} ID numbers corrected"
                         if counts["id_numbers_corrected"] else ""))
    return counts
