"""Fixture texts with known needs, in May 2021 (far from the demo's recent history).

鼓楼街道 第一社区 (``GRID1``, ``GRID2``) and 南门街道 (``NANMEN_GRID``), May 2021:
- reports (events, written with ``bulk_create``: the index only reads their columns):
  R1 hotline in GRID1 "楼上卫生间漏水…,物业不管" → 住房物业 (caller's phone = P1's, so
     P1's groups 独居老人 and 高龄老人);
  R2 hotline in GRID1 "小区垃圾桶满溢有异味" → 环境卫生 (caller unknown: 其他);
  R3 citizen in GRID2 "咨询高龄补贴怎么申请" → 政策咨询 (其他);
  R4 hotline in GRID1, voided → nothing;
  R5 in NANMEN_GRID "楼道电动车充电,存在安全隐患" → 安全隐患 (其他), outside 鼓楼;
- visits: V1 to P1 (独居老人 + 高龄老人) in GRID1: "老人腿脚不便,需要有人帮忙配药" +
  ticked "psychological" → 就医健康 + 心理关怀, each in both groups;
  V2 to P2 (残疾人) in GRID2: "检查了燃气灶和电线,无安全隐患。" → nothing.

Known counts, May 2021, 鼓楼 (totals over groups):
  住房物业 1, 环境卫生 1, 政策咨询 1, 就医健康 1, 心理关怀 1 → 5 mentions;
  matrix: 独居老人 × 住房物业 1, 高龄老人 × 住房物业 1, 独居老人 × 就医健康 1,
  高龄老人 × 就医健康 1, 独居老人 × 心理关怀 1, 高龄老人 × 心理关怀 1, 其他 × 环境卫生 1,
  其他 × 政策咨询 1.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from gridgov.areas.models import Area
from gridgov.basedata.models import Person, Tag
from gridgov.core import personal_data
from gridgov.events.models import Event
from gridgov.visits.models import Visit

ZONE = ZoneInfo("Asia/Shanghai")
GRID1, GRID2 = "330203005001001", "330203005001002"
NANMEN_GRID = "330203001001001"
MAY = dt.date(2021, 5, 1)
PHONE = "13905741234"
_numbers = itertools.count(1)


def local(y, m, d, hh=9):
    return dt.datetime(y, m, d, hh, 0, tzinfo=ZONE)


def person(grid, name, *tags, phone=""):
    p = Person.objects.create(grid=grid, area_code=grid.code, name=name)
    if phone:
        Person.objects.filter(pk=p.pk).update(**personal_data.phone_columns(phone, "phone"))
    if tags:
        p.tags.add(*Tag.objects.filter(name__in=tags))
    return p


def event(grid, text, created, *, source="hotline_12345", state="registered", phone="",
          reporter="") -> Event:
    n = next(_numbers)
    return Event(number=f"N{n:09d}", source=source, state=state, description=text,
                 lng=grid.centroid_lng, lat=grid.centroid_lat, grid=grid, area_code=grid.code,
                 created_at=created, updated_at=created, reporter_name=reporter,
                 **(personal_data.phone_columns(phone, "reporter_phone") if phone else {}))


def build_known() -> dict:
    grids = {a.code: a for a in Area.objects.current().filter(
        code__in=[GRID1, GRID2, NANMEN_GRID])}
    p1 = person(grids[GRID1], "赵桂英", "独居老人", "高龄老人", phone=PHONE)
    p2 = person(grids[GRID2], "钱建国", "残疾人")
    Event.objects.bulk_create([
        event(grids[GRID1], f"楼上卫生间漏水到我家,物业不管,来电人电话{PHONE}",
              local(2021, 5, 3), phone=PHONE, reporter="赵桂英"),
        event(grids[GRID1], "小区垃圾桶满溢有异味,王阿姨说好几天没人清运", local(2021, 5, 8)),
        event(grids[GRID2], "咨询高龄补贴怎么申请", local(2021, 5, 12), source="citizen"),
        event(grids[GRID1], "楼道堆满垃圾(已作废)", local(2021, 5, 13), state="void"),
        event(grids[NANMEN_GRID], "楼道电动车充电,存在安全隐患", local(2021, 5, 14)),
    ])
    Visit.objects.bulk_create([
        Visit(person=p1, area_code=GRID1, visited_at=local(2021, 5, 20),
              notes="老人腿脚不便,需要有人帮忙配药", needs=["psychological"]),
        Visit(person=p2, area_code=GRID2, visited_at=local(2021, 5, 21),
              notes="检查了燃气灶和电线,无安全隐患。"),
    ])
    return {"p1": p1, "p2": p2}
