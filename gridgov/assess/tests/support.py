"""Fixture cases with hand-computed indicators (bulk_create: the figures read columns and
step rows, not the workflow).

March 2020 (local time), 鼓楼街道, department D034 区综合行政执法局 (``BIG``): 982 reported,
i = 0 … 981, all in 兴港社区第1网格 (330203005001001), reported 1 + i % 30 March,
08:00 + i % 10 h:

- i ≥ 972: 10 not due (5 作废, 3 已合并, 2 不予立案), no steps;
- i < 972: registered (i even: 1 h after report, odd: 3 h → mean 2.0 h), filed (i % 10 == 0:
  late, 98 cases; 874 on time), dispatched 2 h after report; i % 25 == 1 returned (39);
- i < 737: completed 9 h after report (on time), closed 10 h after, deadline 24 h;
- 737 ≤ i < 911: completed 29 h after report (late), closed 30 h after (174);
- 911 ≤ i < 931: still handling, handle deadline 24 h after report (overdue: 20);
- 931 ≤ i < 972: still handling, deadline 30 days after now (41);
- i < 911 and i % 50 == 3: failed one verification first (返工: 19);
- i < 972 and i % 40 == 7: an approved extension (延期: 25); i == 8: a rejected one.

So: 上报 982, 受理 972, 立案 972, 按时立案 874, 派遣 972, 准确派遣 933, 处置 911, 按期处置
737, 超期处置 174, 应结案 972, 结案 911, 按期结案 737, 超期结案 174, 返工 19, 延期 25,
超期待处置 20; 结案率 911/972 = 93.72 %, 按期结案率 737/972 = 75.82 %, 按时立案率 89.92 %,
准确派遣率 95.99 %, 处置率 93.72 %, 按期处置率 75.82 %, 返工率 1.95 %, 延期率 2.57 %,
超期待处置率 2.06 %; 平均受理时长 2.0 h; 平均处置时长 (737 × 7 + 174 × 27) / 911 = 10.82 h.
Jinniu score: (30 × 911 + 20 × 737 + 20 × 953 + 20 × 952 + 10 × 947) / 972 = 92.22.

``SMALL`` (same month): grid worker gw_gulou2 in 兴港社区第2网格 reports 4 patrol cases, two of
them resolved on the spot and closed (自行处置 2), one dispatched to D034 and still handling,
one not filed; gw_gulou2 verified one case of ``BIG`` in March (核查 1). 南门街道: 5 cases of
D016 区民政局, reported by citizens, all closed on time (outside 鼓楼 and outside D034).
"""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from django.utils import timezone

from gridgov.accounts.models import Department, User
from gridgov.areas.models import Area
from gridgov.events.choices import RequestKind, RequestStatus, Source, State
from gridgov.events.models import Event, EventRequest, EventStep
from gridgov.stats.periods import Period

ZONE = ZoneInfo("Asia/Shanghai")
GRID1, GRID2 = "330203005001001", "330203005001002"
NANMEN_GRID = "330203001001001"
GULOU = "330203005"
MARCH = Period.containing("month", dt.date(2020, 3, 10))
_numbers = itertools.count(1)
_records = itertools.count(900_000_000)


class BIG:
    reported, accepted, filed, filed_on_time = 982, 972, 972, 874
    dispatched, dispatched_accurate, handled, handled_on_time, handled_late = (
        972, 933, 911, 737, 174)
    due, closed, closed_on_time, closed_late = 972, 911, 737, 174
    reworked, extended, self_resolved, overdue_pending = 19, 25, 0, 20
    rates = {"closed_rate": 93.72, "closed_on_time_rate": 75.82, "filed_on_time_rate": 89.92,
             "dispatch_accuracy": 95.99, "handled_rate": 93.72, "handled_on_time_rate": 75.82,
             "rework_rate": 1.95, "extension_rate": 2.57, "overdue_pending_rate": 2.06}
    accept_hours, handle_hours = 2.0, 10.82
    score = 92.22


def local(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ZONE)


def make_event(grid, created, **fields) -> Event:
    n = next(_numbers)
    values = dict(number=f"A{n:09d}", source=Source.CITIZEN, state=State.CLOSED,
                  description="考核测试事件", lng=grid.centroid_lng, lat=grid.centroid_lat,
                  grid=grid, area_code=grid.code, created_at=created, updated_at=created,
                  handle_deadline=created + dt.timedelta(hours=24))
    values.update(fields)
    return Event(**values)


def step(event, seq, action, after_hours, *, to_state="", deadline_met=None, actor=None,
         department=None) -> EventStep:
    return EventStep(event=event, seq=seq, action=action, to_state=to_state,
                     audit_record_id=next(_records), area_code=event.area_code,
                     at=event.created_at + dt.timedelta(hours=after_hours),
                     deadline_met=deadline_met, actor=actor,
                     department_id=department or event.department_id)


def build_big() -> dict:
    """The 982 cases of ``BIG`` with their steps and requests; returns what the tests use."""
    grid = Area.objects.get(code=GRID1)
    zhifa = Department.objects.get(code="D034")
    now = timezone.now()
    events = []
    for i in range(982):
        created = local(2020, 3, 1 + i % 30, 8 + i % 10)
        kw = dict(department=zhifa)
        if i >= 972:
            kw["state"] = ([State.VOID] * 5 + [State.MERGED] * 3 + [State.NOT_FILED] * 2)[i - 972]
        elif i < 737:
            kw["closed_at"] = created + dt.timedelta(hours=10)
        elif i < 911:
            kw["closed_at"] = created + dt.timedelta(hours=30)
        elif i < 931:
            kw["state"] = State.IN_PROGRESS
        else:
            kw["state"] = State.DISPATCHED
            kw["handle_deadline"] = now + dt.timedelta(days=30)
        events.append(make_event(grid, created, **kw))
    Event.objects.bulk_create(events, batch_size=500)
    steps, requests = [], []
    for i, ev in enumerate(events[:972]):
        seq = itertools.count(1)
        steps.append(step(ev, next(seq), "register", 1 if i % 2 == 0 else 3, to_state="registered"))
        steps.append(step(ev, next(seq), "file", 1.5, to_state="filed",
                          deadline_met=i % 10 != 0))
        steps.append(step(ev, next(seq), "dispatch", 2, to_state="dispatched"))
        if i % 25 == 1:
            steps.append(step(ev, next(seq), "return", 2.2, to_state="filed"))
        if i < 911:
            late = i >= 737
            if i % 50 == 3:
                steps.append(step(ev, next(seq), "complete", 5, to_state="completed",
                                  deadline_met=True))
                steps.append(step(ev, next(seq), "verify", 6, to_state="in_progress"))
            steps.append(step(ev, next(seq), "complete", 29 if late else 9,
                              to_state="completed", deadline_met=not late))
            steps.append(step(ev, next(seq), "verify", 29.5 if late else 9.5,
                              to_state="closed"))
        if i % 40 == 7:
            requests.append(EventRequest(event=ev, kind=RequestKind.EXTENSION, days=2,
                                         reason="需协调", status=RequestStatus.APPROVED,
                                         from_state=State.IN_PROGRESS))
        if i == 8:
            requests.append(EventRequest(event=ev, kind=RequestKind.EXTENSION, days=2,
                                         reason="需协调", status=RequestStatus.REJECTED,
                                         from_state=State.IN_PROGRESS))
    EventStep.objects.bulk_create(steps, batch_size=1000)
    EventRequest.objects.bulk_create(requests)
    return {"events": events, "department": zhifa, "grid": grid}


def build_small(big: dict) -> dict:
    """The ``SMALL`` cases: a grid worker's patrol work and 南门's cases."""
    grid2 = Area.objects.get(code=GRID2)
    nanmen = Area.objects.get(code=NANMEN_GRID)
    worker = User.objects.get(username="gw_gulou2")
    minzheng = Department.objects.get(code="D016")
    zhifa = big["department"]
    created = local(2020, 3, 12, 10)
    patrol = dict(source=Source.GRID_PATROL, reporter_user=worker)
    events = [
        make_event(grid2, created, resolved_on_spot=True,
                   closed_at=created + dt.timedelta(hours=2), **patrol),
        make_event(grid2, created, resolved_on_spot=True,
                   closed_at=created + dt.timedelta(hours=3), **patrol),
        make_event(grid2, created, state=State.DISPATCHED, department=zhifa,
                   handle_deadline=timezone.now() + dt.timedelta(days=9), **patrol),
        make_event(grid2, created, state=State.NOT_FILED, **patrol),
    ]
    events += [make_event(nanmen, created, department=minzheng,
                          closed_at=created + dt.timedelta(hours=5)) for _ in range(5)]
    Event.objects.bulk_create(events)
    steps = [step(events[0], 1, "resolve_on_spot", 1, to_state="completed", actor=worker),
             step(events[1], 1, "resolve_on_spot", 1, to_state="completed", actor=worker),
             step(events[2], 1, "register", 1, to_state="registered"),
             step(events[2], 2, "file", 1, to_state="filed", deadline_met=True),
             step(events[2], 3, "dispatch", 1, to_state="dispatched")]
    big_case = big["events"][0]
    steps.append(EventStep(event=big_case, seq=50, action="verify", to_state="closed",
                           audit_record_id=next(_records), area_code=big_case.area_code,
                           at=local(2020, 3, 20, 10), actor=worker))
    for ev in events[4:]:
        steps += [step(ev, 1, "register", 1, to_state="registered"),
                  step(ev, 2, "file", 1, to_state="filed", deadline_met=True),
                  step(ev, 3, "dispatch", 1, to_state="dispatched"),
                  step(ev, 4, "complete", 3, to_state="completed", deadline_met=True)]
    EventStep.objects.bulk_create(steps)
    return {"events": events, "worker": worker, "minzheng": minzheng, "nanmen": nanmen}
