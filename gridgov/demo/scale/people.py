"""A million residents for the district: households with Chinese names and addresses spread
over every grid (more in the old city), stored as ``gridgov.basedata.importers`` stores an
imported person: ID number and phone encrypted, hashed and masked through
``gridgov.core.personal_data``, birth date and sex derived from the ID number, provenance
stamped "imported", one ``ImportBatch`` per street with its audit record.

The ID numbers are unique and valid (GB 11643 check character; order codes 600-999 so they
never meet the demo's own people, whose codes stay below 560); the phones are in the 170-0000
test range, like the demo's. Drawn in chunks of ``CHUNK`` people, each from its own seeded
generator, so the same seed gives the same people whatever the number of worker processes.
"""

import datetime as dt
import functools
import hashlib
import random

from stdnum.cn import ric

from gridgov.basedata.models import Person
from gridgov.core import personal_data

from ..history import data as history_data
from . import sink

CHUNK = 10_000
# Weighted surnames (the common ones nationally, and 俞 应 史 虞 邬 竺 鲍, frequent in Ningbo).
SURNAMES = ("王" * 8 + "李" * 8 + "张" * 8 + "陈" * 9 + "刘" * 6 + "杨" * 5 + "黄" * 4 + "赵"
            * 4 + "吴" * 4 + "周" * 5 + "徐" * 5 + "孙" * 3 + "胡" * 4 + "朱" * 3 + "林" * 3
            + "何" * 3 + "郭" * 2 + "马" * 2 + "罗" * 2 + "高" * 2 + "俞" * 3 + "应" * 3 + "史" * 2
            + "虞" * 2 + "邬" + "竺" + "鲍" * 2 + "沈" * 3 + "董" * 2 + "蒋" * 2 + "郑" * 2 + "毛"
            + "叶" * 2 + "袁" + "丁" + "傅" * 2 + "钱" + "范" + "方" + "谢" + "潘" + "邵" + "戴")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂建华文红玉志国海燕斌波浩宇辉鹏"
         "飞婷雪琳晨阳佳怡欣悦子涵梓萱俊杰浩然雨嘉琪思远立新春梅金凤根宝永康德福惠珍")
# Regions of ID numbers: 海曙 and its neighbours for the registered, provinces that send
# many workers to Ningbo for the floating population.
HOME_REGIONS = ("330203", "330203", "330203", "330205", "330212", "330281", "330282")
AWAY_REGIONS = ("342401", "341221", "411522", "362329", "510322", "522427", "431381",
                "330381", "330327", "612526")
ESTATES = ("花园", "新村", "小区", "公寓", "家园", "苑")
RELATIONS = ("head", "spouse", "child", "parent", "grandchild")
ELDERLY_ALONE, ELDERLY_OLD, DISABLED = "独居老人", "高龄老人", "残疾人"


def _number(body: str) -> str:
    """The 18-character ID number of a 17-digit body (GB 11643 check character)."""
    # calc_check_digit wants all 18 characters and ignores the last one.
    return body + ric.calc_check_digit(body + "0")


@functools.cache
def valid_years(region: str) -> frozenset:
    """The birth years for which ``stdnum.cn.ric`` takes ``region`` on every day (it checks
    that the region code existed on the birth date: 海曙's 330203 only from 1983)."""
    return frozenset(year for year in range(1920, dt.date.today().year + 1)
                     if all(ric.is_valid(_number(f"{region}{year}{day}601"))
                            for day in ("0101", "1231")))


def _region(rng, floating: bool, year: int) -> str | None:
    """A region for someone born in ``year``: of their group where the code existed then,
    else any listed code that did."""
    group = AWAY_REGIONS if floating else HOME_REGIONS
    region = rng.choice(group)
    if year in valid_years(region):
        return region
    for candidates in (group, HOME_REGIONS + AWAY_REGIONS):
        fits = [r for r in candidates if year in valid_years(r)]
        if fits:
            return rng.choice(fits)
    return None


def id_bodies(count: int, seed: int) -> list[tuple[str, bool]]:
    """``count`` distinct (17-digit body, floating) pairs: region, birth date, order code,
    each valid for ``stdnum.cn.ric``.

    Drawn in the main process, so uniqueness needs no coordination between workers."""
    rng = random.Random(f"{seed}-people-ids")
    seen, out = set(), []
    today = dt.date.today()
    while len(out) < count:
        floating = rng.random() < 0.28
        # Working-age people dominate the floating population; the registered age evenly.
        age = (rng.triangular(16, 60, 30) if floating else rng.triangular(0, 95, 45))
        birth = today - dt.timedelta(days=int(age * 365.25) + rng.randrange(365))
        region = _region(rng, floating, birth.year)
        if region is None:
            continue
        body = f"{region}{birth:%Y%m%d}{rng.randrange(600, 1000):03d}"
        if body not in seen:
            seen.add(body)
            out.append((body, floating))
    return out


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                          for _ in range(1 if rng.random() < 0.3 else 2))


def _address(rng, street, grid) -> str:
    road = rng.choice(history_data.ROADS.get(street.code) or [street.name])
    estate = (grid.place or street.name).removesuffix("社区").removesuffix("村")
    return (f"浙江省宁波市海曙区{road}{rng.randrange(1, 400)}号{estate}"
            f"{rng.choice(ESTATES)}{rng.randrange(1, 30)}幢{rng.randrange(1, 4)}单元"
            f"{rng.randrange(1, 19)}{rng.randrange(1, 5):02d}室")


def _tags(rng, age: int, alone: bool, tag_ids: dict) -> list[int]:
    out = []
    if alone and age >= 65:
        out.append(tag_ids.get(ELDERLY_ALONE))
    if age >= 80:
        out.append(tag_ids.get(ELDERLY_OLD))
    if rng.random() < 0.015:
        out.append(tag_ids.get(DISABLED))
    return [t for t in out if t]


def _person(number: str, floating: bool, values: dict) -> dict:
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    values.update(
        id_number_enc=personal_data.encrypt(number, "id_number"),
        id_hash=personal_data.lookup_hash(number),
        id_masked=personal_data.mask_id_number(number), birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        registration_type="floating" if floating else "registered")
    return values


def encode_chunk(job, state: dict) -> dict:
    """The people of one chunk: ``job`` = (chunk number, first id, bodies, batch of each
    street); ``state`` holds the streets, the tag ids and the fixed column values."""
    chunk_no, first_id, bodies, batches = job
    rng = random.Random(f"{state['seed']}-people-{chunk_no}")
    streets, weights = state["streets"], state["weights"]
    fields, defaults = state["fields"], state["defaults"]
    people, tags, per_batch = [], [], {}
    i, today = 0, dt.date.today()
    while i < len(bodies):
        street = streets[_pick(rng, weights)]
        grid = rng.choice(street.grids)
        address = _address(rng, street, grid)
        size = min(len(bodies) - i, rng.choice((1, 1, 2, 2, 3, 3, 3, 4)))
        head_id = first_id + i
        batch = batches[street.code]
        per_batch[batch] = per_batch.get(batch, 0) + size
        for member in range(size):
            body, floating = bodies[i]
            number = _number(body)
            phone = f"170{rng.randrange(10 ** 8):08d}" if rng.random() < 0.8 else ""
            values = _person(number, floating, {
                "id": first_id + i, "name": _name(rng), "address": address,
                "grid_id": grid.id, "area_code": grid.code, "household_head_id": head_id,
                "relation_to_head": RELATIONS[min(member, 4)] if member else "head",
                "import_batch_id": batch, **state["fixed"]})
            values.update(personal_data.phone_columns(phone, "phone"))
            row = sink.row_of(fields, values, defaults)
            people.append(sink.copy_line(row) if state["postgres"] else row)
            age = (today - values["birth_date"]).days // 365
            tags += [(values["id"], t) for t in _tags(rng, age, size == 1, state["tag_ids"])]
            i += 1
    if state["postgres"]:
        tags = [f"{p}\t{t}" for p, t in tags]
    return {"people": people, "tags": tags, "batches": per_batch}


def _pick(rng, cum) -> int:
    import bisect

    return min(len(cum) - 1, bisect.bisect(cum, rng.random() * cum[-1]))


def start_batches(streets) -> dict:
    """One import batch per street (as if each street office imported its census file):
    {street code: batch id}."""
    from gridgov.basedata.models import ImportBatch

    out = {}
    for street in streets:
        batch = ImportBatch.objects.create(kind="people", filename=f"{street.name}实有人口.csv",
                                           sha256=hashlib.sha256(street.code.encode()).hexdigest())
        out[street.code] = batch.pk
    return out


def finish_batches(batches: dict, created: dict) -> None:
    """Set each batch's counts and write its audit record, as ``importers.run_import`` does."""
    from gridgov.audit.recorder import record
    from gridgov.basedata.models import ImportBatch

    for batch in ImportBatch.objects.filter(pk__in=list(batches.values())):
        n = created.get(batch.pk, 0)
        batch.total_rows = batch.created_rows = n
        batch.save(update_fields=["total_rows", "created_rows"])
        record("basedata.import.people", actor=None, obj=batch, changes={
            "file": batch.filename, "sha256": batch.sha256, "total": n, "created": n,
            "updated": 0, "rejected": 0})


def fields() -> list:
    """The columns written for a person (every concrete column, id included)."""
    return sink.columns(Person)
