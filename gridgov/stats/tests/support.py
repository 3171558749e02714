"""Fixture events with hand-computed figures, far from the demo's (recent) history.

The period under test is November 2019 (local time); its previous period October 2019, its
same period last year November 2018. Rows are written with ``bulk_create`` (fixtures, not
workflow: the figures only read the columns).

鼓楼街道, November 2019 (``KNOWN``):
- 972 events to be closed (应结案) + 10 not (5 作废, 3 已合并, 2 不予立案) = 982 reported;
- 911 closed: 737 on time (closed 10 h after report, deadline 24 h) and 174 late (30 h);
  closed rate 911/972 = 93.72 %, on-time rate 737/972 = 75.82 %,
  mean hours (737×10 + 174×30) / 911 = 13.82;
- 61 open (dispatched): 20 past their stage deadline (overdue now), 41 not;
- by grid: 600 in 兴港社区第1网格, 200 in 第2网格 (社区 兴港 800), 182 in 荣江社区第1网格;
- by source: every 4th (i % 4 == 0) 12345热线, i % 4 == 1 群众上报, else 网格巡查;
- by class: i % 3 == 0 → 0501 (街面秩序), else 0102 (市容环境).
October 2019: 500 reported (all closed on time); November 2018: 400 reported (all closed late).
南门街道, November 2019: 300 reported (none closed), outside the 鼓楼 leader's scope.
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.utils import timezone

from gridgov.accounts.models import Department
from gridgov.areas.models import Area
from gridgov.events.choices import Nature, Source, State
from gridgov.events.models import Event, MinorCategory

ZONE = ZoneInfo("Asia/Shanghai")
GRID1, GRID2 = "330203005001001", "330203005001002"
GRID3 = "330203005002001"
NANMEN_GRID = "330203001001001"
GULOU = "330203005"
NOV = {"period": "month", "date": "2019-11-15"}
_numbers = itertools.count(1)


class KNOWN:
    total, due, closed, on_time, overdue = 982, 972, 911, 737, 20
    closed_rate, on_time_rate, hours = 93.72, 75.82, 13.8
    prev_total, ya_total = 500, 400
    vs_prev = 96.4  # (982 − 500) / 500
    vs_year = 145.5  # (982 − 400) / 400


def local(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE)


def event(grid: Area, created, *, state=State.CLOSED, closed_after=None, deadline_hours=24,
          category=None, source=Source.GRID_PATROL, nature=Nature.REQUEST, department=None,
          address="", stage_deadline=None, lng=None, lat=None) -> Event:
    """One unsaved event in ``grid`` reported at ``created``."""
    n = next(_numbers)
    closed_at = created + dt.timedelta(hours=closed_after) if closed_after is not None else None
    return Event(
        number=f"T{n:09d}", source=source, nature=nature, state=state, category=category,
        description="统计测试事件", lng=lng if lng is not None else grid.centroid_lng,
        lat=lat if lat is not None else grid.centroid_lat, address=address, grid=grid,
        area_code=grid.code, department=department, created_at=created, updated_at=created,
        handle_deadline=created + dt.timedelta(hours=deadline_hours), closed_at=closed_at,
        stage_deadline=stage_deadline, stage_started_at=created if stage_deadline else None,
    )


def build_known() -> dict:
    """Write the fixture of the module docstring; returns the areas and classes used."""
    grids = {a.code: a for a in Area.objects.filter(code__in=[GRID1, GRID2, GRID3,
                                                               NANMEN_GRID])}
    minors = {c.code: c for c in MinorCategory.objects.filter(code__in=["0102", "0501"])}
    department = Department.objects.order_by("code").first()
    now = timezone.now()
    rows = []
    placement = [GRID1] * 600 + [GRID2] * 200 + [GRID3] * 182
    for i, code in enumerate(placement):
        created = local(2019, 11, 1 + i % 30, 8 + i % 12, i % 60)
        kind = dict(
            category=minors["0501" if i % 3 == 0 else "0102"],
            source=(Source.HOTLINE_12345, Source.CITIZEN, Source.GRID_PATROL,
                    Source.GRID_PATROL)[i % 4],
            department=department,
        )
        if i < 737:
            rows.append(event(grids[code], created, closed_after=10, **kind))
        elif i < 911:
            rows.append(event(grids[code], created, closed_after=30, **kind))
        elif i < 931:
            rows.append(event(grids[code], created, state=State.DISPATCHED,
                              stage_deadline=now - dt.timedelta(hours=1), **kind))
        elif i < 972:
            rows.append(event(grids[code], created, state=State.DISPATCHED,
                              stage_deadline=now + dt.timedelta(days=5), **kind))
        else:
            state = ([State.VOID] * 5 + [State.MERGED] * 3 + [State.NOT_FILED] * 2)[i - 972]
            rows.append(event(grids[code], created, state=state, **kind))
    for i in range(500):
        rows.append(event(grids[GRID1], local(2019, 10, 1 + i % 31), closed_after=10))
    for i in range(400):
        rows.append(event(grids[GRID1], local(2018, 11, 1 + i % 30), closed_after=30))
    for i in range(300):
        rows.append(event(grids[NANMEN_GRID], local(2019, 11, 1 + i % 30), state=State.FILED))
    Event.objects.bulk_create(rows, batch_size=500)
    return {"grids": grids, "minors": minors, "department": department}
