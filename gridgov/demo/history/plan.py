"""Generating one historical case: where, when, what, and every step of its loop with its time.

Pure given a ``Context`` (the streets, grids, classes, departments and demo users read once
from the database) and a seeded ``random.Random`` per case, so case ``i`` of a seed is the same
case on every run (and a bigger history only adds cases). ``simulate`` returns a ``Case``: the
event's columns and its steps, each with the fields it changed, as ``gridgov.events.actions``
would have written them, at the time it happened.

The loop follows ``gridgov.events.workflow``: report → register → file → dispatch → claim →
complete → verify → (evaluate), with the side branches in believable shares: not filed or
voided, resolved on the spot by the grid worker, escalated, supervised, returned by a
department that is not responsible and dispatched again, an extension asked for (mostly
granted), verification failed and reworked, suspended (挂账); handling times per class with a
long tail, so that some cases close late (with a written explanation, as the action demands).
Cases whose loop would reach past the load time stay open where they stand, except in 鼓楼
and at 综合执法 (the demo users' own queues), where the whole case is moved back in time.
"""

import bisect
import datetime as dt
import random

from gridgov.audit.recorder import diff, jsonable
from gridgov.core import workdays
from gridgov.core.personal_data import mask_phone

from . import data
from .types import Case, Category, Context, Grid, Step, Street  # noqa: F401 (re-exported)

# What an audit record of an event keeps (``events.actions.base.TRACKED``, by field name).
TRACKED = (
    "state", "source", "nature", "urgency", "category", "description", "lng", "lat",
    "address", "grid", "area_code", "level", "department", "assignee", "reporter_name",
    "camera_code", "external_id", "merged_into", "supervised", "resolved_on_spot",
    "stage_deadline", "handle_deadline", "deadline_note", "deadline_alert", "overdue_reason",
    "evaluation_score", "evaluation_comment", "hold_reason", "closed_at",
)
FK = {"category", "grid", "department", "assignee", "merged_into"}
GULOU = "330203005"
# The command room works 07:00-22:00; a report at night waits for the morning shift.
ROOM_OPENS, ROOM_CLOSES = 7, 22
# Overall volume by month (January .. December): less around the Spring Festival, more in
# the hot months.
MONTHS = (0.9, 0.75, 0.95, 1.0, 1.05, 1.1, 1.2, 1.2, 1.05, 0.95, 1.0, 0.95)


def day_table(start: dt.date, end: dt.date) -> tuple[list, list]:
    """The days of the history and their cumulative weights: month, weekday, holidays, the
    backlog on the first working day after a long holiday, a slow growth over the period."""
    days, cum, total = [], [], 0.0
    span = max(1, (end - start).days)
    rest_run = 0
    day = start
    while day <= end:
        try:
            workday = workdays.is_workday(day)
        except workdays.CalendarUnknown:
            workday = day.weekday() < 5
        weight = MONTHS[day.month - 1] * (1 + 0.12 * (day - start).days / span)
        if not workday:
            weight *= 0.6
            rest_run += 1
        else:
            if rest_run >= 3:
                weight *= 1.6
            rest_run = 0
        total += weight
        days.append(day)
        cum.append(total)
        day += dt.timedelta(days=1)
    return days, cum


def category_tables(ctx: Context) -> None:
    """Cumulative class weights per (rural, month), so a draw is one bisect."""
    codes = [code for code in data.CATEGORIES if code in ctx.categories]
    for rural in (False, True):
        for month in range(1, 13):
            cum, total = [], 0.0
            for code in codes:
                urban_w, rural_w, season, _texts = data.CATEGORIES[code]
                total += (rural_w if rural else urban_w) * data.SEASONS[season][month - 1]
                cum.append(total)
            ctx.tables[(rural, month)] = (codes, cum)
    running, ctx.street_weights = 0.0, []
    for street in ctx.streets:
        running += street.weight
        ctx.street_weights.append(running)


def _pick(rng, items, cum):
    return items[min(len(items) - 1, bisect.bisect(cum, rng.random() * cum[-1]))]


def _weighted(rng, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _deadline(start, amount, unit):
    return workdays.deadline_for(start, amount, unit)


def _lognormal_minutes(rng, median, sigma=0.8):
    return dt.timedelta(minutes=max(1.0, rng.lognormvariate(0, sigma) * median))


class _Cut(Exception):
    """The next step would happen after the load time: the case stays where it stands."""


class _Sim:
    """One case as it moves through the loop: its columns, its snapshot and its steps."""

    def __init__(self, ctx, rng, street, index):
        self.ctx, self.rng, self.street, self.index = ctx, rng, street, index
        self.ev = {}
        self.steps = []
        self.requests = []
        self.snap = None
        self.t = None

    # --- the record of a step ---------------------------------------------------------------

    @staticmethod
    def _value(ev, name):
        value = ev.get(f"{name}_id" if name in FK else name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC)
        return jsonable(value)

    def snapshot(self):
        out = {name: self._value(self.ev, name) for name in TRACKED}
        out["reporter_phone"] = self.ev.get("reporter_phone_masked", "")
        return out

    def step(self, action, at, actor, role, remark="", extra=None, department=None, **changes):
        if at > self.ctx.now:
            raise _Cut
        # The report itself comes from no state, as ``report_event`` writes it.
        from_state = self.ev.get("state", "") if self.steps else ""
        stage_deadline = self.ev.get("stage_deadline") if self.steps else None
        department_before = self.ev.get("department_id")
        if self.snap is None:
            self.ev.update(changes)
            self.snap = self.snapshot()
            delta = diff(None, self.snap)
        else:
            # Only the fields this step sets can differ (``diff`` of the whole snapshot, as
            # the actions compute it, gives the same).
            before = {}
            for attname in changes:
                name = attname[:-3] if attname.endswith("_id") else attname
                if name in self.snap:
                    before[name] = self.snap[name]
            self.ev.update(changes)
            after = {name: self._value(self.ev, name) for name in before}
            delta = diff(before, after)
            self.snap.update(after)
        for key, value in (extra or {}).items():
            delta[key] = [None, value]
        dept = department if department is not None else (
            self.ev.get("department_id") or department_before)
        self.steps.append(Step(action, from_state, self.ev["state"], at, actor, role, dept,
                               stage_deadline, delta, remark))
        self.t = at

    def who(self, kind):
        """(user name or None, audit role) of who acts at this stage: a demo user where the
        demo has one (鼓楼's command room, each street's dispatcher and leader, 综合执法's
        handler, the three grid workers in their grids), otherwise the system, as the demo's
        own cases in 高桥镇 do."""
        ctx, code = self.ctx, self.street.code
        name = None
        if kind == "grid":
            name = ctx.grid_workers.get(self.ev["grid_id"])
        elif kind == "handler":
            if self.ev.get("department_id") == ctx.zhifa_id:
                name = "handler_zhifa"
            elif self.ev.get("department_id") is None:
                name = ctx.grid_workers.get(self.ev["grid_id"])
        elif code == GULOU:
            name = {"clerk": "clerk_gulou", "shift": "shift_gulou",
                    "dispatcher": "dispatch_gulou", "leader": "leader_gulou"}[kind]
        elif kind in ("dispatcher", "leader"):
            name = f"{'dispatch' if kind == 'dispatcher' else 'leader'}_{ctx.slugs.get(code)}"
        if name and name in ctx.users:
            return name, ctx.users[name][1]
        return None, ""

    def remark(self, key):
        return self.rng.choice(data.REMARKS[key])

    # --- time -----------------------------------------------------------------------------

    def room_time(self, at):
        """``at``, or the next opening of the command room when it is closed."""
        if ROOM_OPENS <= at.hour < ROOM_CLOSES:
            return at
        day = at.date() if at.hour < ROOM_OPENS else at.date() + dt.timedelta(days=1)
        opens = at.replace(year=day.year, month=day.month, day=day.day, hour=ROOM_OPENS,
                           minute=0, second=0, microsecond=0)
        return opens + _lognormal_minutes(self.rng, 15, 0.6)

    def after(self, median_minutes, sigma=0.8, room=False):
        at = self.t + _lognormal_minutes(self.rng, median_minutes, sigma)
        at = at.replace(microsecond=self.rng.randrange(1_000_000))
        return self.room_time(at) if room else at

    # --- the loop ---------------------------------------------------------------------------

    def report(self, created, category, source, nature):
        rng, ev, street = self.rng, self.ev, self.street
        grid = rng.choice(street.grids)
        lng, lat = rng.choice(grid.points)
        roads = data.ROADS.get(street.code) or [street.name]
        spots = data.RURAL_SPOTS if street.rural else data.URBAN_SPOTS
        road = rng.choice(roads)
        place = grid.place + rng.choice(spots)
        text = rng.choice(data.CATEGORIES[category.code][3]).format(road=road, place=place)
        urgency = category.urgency if rng.random() < 0.9 else (
            "urgent" if category.urgency == "normal" else "normal")
        minutes = category.dispatch_urgent if urgency == "urgent" else category.dispatch_normal
        deadline, note = _deadline(created, minutes, "minutes")
        ev.update(
            source=source, nature=nature, urgency=urgency, state="reported",
            category_id=category.id, description=text, lng=lng, lat=lat,
            address=f"海曙区{street.name}{road}" if rng.random() < 0.6 else f"海曙区{place}",
            grid_id=grid.id, area_code=grid.code, level="community", department_id=None,
            assignee_id=None, reporter_user_id=None, reporter_name="", camera_code="",
            external_id="", merged_into_id=None, supervised=False, resolved_on_spot=False,
            stage_deadline=deadline, stage_started_at=created, handle_deadline=None,
            deadline_note=note, deadline_alert="", overdue_reason="", evaluation_score=None,
            evaluation_comment="", hold_reason="", closed_at=None, created_at=created,
            reporter_phone_masked="",
        )
        actor, role = None, ""
        if source == "grid_patrol":
            actor, role = self.who("grid")
            if actor:
                ev["reporter_user_id"] = self.ctx.users[actor][0]
        elif source == "video_patrol":
            ev["camera_code"] = f"HS{grid.code[-6:]}{rng.randrange(1, 9)}"
        elif source in ("hotline_12345", "hotline_81890"):
            ev["external_id"] = f"{'12345' if source == 'hotline_12345' else '81890'}-" \
                                f"{created:%Y%m%d}-{self.index:06d}"
            ev["reporter_name"] = rng.choice("王李张刘陈杨赵黄周吴徐孙") + rng.choice(
                ["先生", "女士"])
            # The 170-0000 test range, as the demo's basic data: nobody's number.
            ev["reporter_phone"] = f"1700000{rng.randrange(10000):04d}"
            ev["reporter_phone_masked"] = mask_phone(ev["reporter_phone"])
        elif source in ("citizen", "open311", "mailbox"):
            ev["reporter_name"] = "市民"
        self.step("report", created, actor, role)

    def pace(self):
        """Urgent cases go through the command room faster (10 minutes instead of 30)."""
        return 0.35 if self.ev["urgency"] == "urgent" else 1.0

    def register(self):
        actor, role = self.who("clerk")
        self.step("register", self.after(4 * self.pace(), 0.7, room=True), actor, role,
                  remark=self.remark("register"), state="registered")

    def file(self):
        actor, role = self.who("shift")
        self.step("file", self.after(3 * self.pace(), 0.7, room=True), actor, role,
                  remark=self.remark("file"), state="filed")

    def dispatch(self, category, department_id):
        at = self.after(5 * self.pace(), 0.7, room=True)
        to_grid = department_id is None
        deadline, note = _deadline(at, category.handle_amount, category.handle_unit)
        actor, role = self.who("dispatcher")
        self.step("dispatch", at, actor, role, remark=self.remark("dispatch"),
                  extra={"to_grid": to_grid}, state="dispatched",
                  department_id=department_id, assignee_id=None, stage_deadline=deadline,
                  stage_started_at=at, handle_deadline=deadline, deadline_note=note[:200],
                  deadline_alert="")

    def claim(self):
        actor, role = self.who("handler")
        self.step("claim", self.after(25, 1.0), actor, role, state="in_progress",
                  assignee_id=self.ctx.users[actor][0] if actor else None)

    def return_(self, category):
        actor, role = self.who("handler")
        at = self.after(150, 0.9)
        deadline, note = _deadline(at, self._dispatch_minutes(category), "minutes")
        department = self.ev["department_id"]
        self.step("return", at, actor, role, remark=self.remark("return"), state="filed",
                  department=department, department_id=None, assignee_id=None,
                  handle_deadline=None, stage_deadline=deadline, stage_started_at=at,
                  deadline_note=note[:200], deadline_alert="")

    def _dispatch_minutes(self, category):
        return (category.dispatch_urgent if self.ev["urgency"] == "urgent"
                else category.dispatch_normal)

    def extension(self, approve):
        actor, role = self.who("handler")
        days = self.rng.choice((2, 3, 3, 5, 5, 7, 10))
        reason = self.remark("request_extension")
        at = self.after(240, 1.0)
        self.step("request_extension", at, actor, role, remark=reason,
                  extra={"request": {"kind": "extension", "days": days}})
        request = {"kind": "extension", "days": days, "reason": reason, "requested_at": at,
                   "requested_by": actor, "from_state": "in_progress"}
        decider, drole = self.who("shift")
        at = self.after(90, 0.8, room=True)
        changes = {}
        if approve:
            deadline, note = workdays.deadline_for(
                self.ev["handle_deadline"] or at, days, "working_days") \
                if self.ev["handle_deadline"] else (None, "")
            if deadline is not None:
                changes = {"handle_deadline": deadline, "stage_deadline": deadline,
                           "deadline_note": note[:200], "deadline_alert": ""}
        remark = self.remark("decide_extension" if approve else "reject_extension")
        self.step("decide_extension", at, decider, drole, remark=remark,
                  extra={"request": {"kind": "extension", "approve": approve, "days": days}},
                  **changes)
        request.update(status="approved" if approve else "rejected", decided_at=at,
                       decided_by=decider, decision_remark=remark)
        self.requests.append(request)

    def complete(self, category, late_factor):
        """Handling takes a share of the time allowed (log-normal, long tail): past 1 it is
        late and the handler writes why."""
        start = self.t
        deadline = self.ev["handle_deadline"]
        allowed = (deadline - start) if deadline else dt.timedelta(days=1)
        allowed = max(allowed, dt.timedelta(minutes=30))
        share = self.rng.lognormvariate(-0.95, 0.55) * late_factor
        at = start + allowed * share + dt.timedelta(seconds=self.rng.randrange(60, 900))
        late = deadline is not None and at > deadline
        actor, role = self.who("handler")
        verify, note = _deadline(at, category.verify_rural if self.street.rural
                                 else category.verify_urban, "hours")
        self.step("complete", at, actor, role, remark=self.remark("complete"),
                  state="completed",
                  overdue_reason=self.remark("overdue_reason") if late else "",
                  stage_deadline=verify, stage_started_at=at, deadline_note=note[:200],
                  deadline_alert="")

    def verify(self, category, passed):
        actor, role = self.who("grid")
        at = self.after(50 if self.street.rural else 25, 0.7)
        if passed:
            self.step("verify", at, actor, role, remark=self.remark("verify_pass"),
                      extra={"passed": True}, state="closed", stage_deadline=None,
                      stage_started_at=None, deadline_alert="", closed_at=at)
            return
        deadline, note = _deadline(at, category.handle_amount, category.handle_unit)
        self.step("verify", at, actor, role, remark=self.remark("verify_fail"),
                  extra={"passed": False}, state="in_progress", stage_deadline=deadline,
                  stage_started_at=at, handle_deadline=deadline, deadline_note=note[:200],
                  deadline_alert="")

    def resolve_on_spot(self):
        actor, role = self.who("grid")
        at = self.after(12, 0.7)
        verify, note = _deadline(at, 2 if self.street.rural else 1, "hours")
        self.step("resolve_on_spot", at, actor, role, remark=self.remark("resolve_on_spot"),
                  state="completed", resolved_on_spot=True,
                  assignee_id=self.ctx.users[actor][0] if actor else None,
                  stage_deadline=verify, stage_started_at=at, deadline_note=note[:200],
                  deadline_alert="")

    def end(self, action, key, state):
        actor, role = self.who("shift")
        at = self.after(20, 0.9, room=True)
        self.step(action, at, actor, role, remark=self.remark(key), state=state,
                  stage_deadline=None, stage_started_at=None, deadline_alert="", closed_at=at)

    def escalate(self):
        actor, role = self.who("shift")
        self.step("escalate", self.after(30, 0.8, room=True), actor, role,
                  remark=self.remark("escalate"), level="street")

    def supervise(self):
        actor, role = self.who("leader")
        self.step("supervise", self.after(300, 1.0, room=True), actor, role,
                  remark=self.remark("supervise"), supervised=True)

    def suspend(self):
        actor, role = self.who("handler")
        reason = self.remark("request_suspension")
        at = self.after(600, 1.0)
        self.step("request_suspension", at, actor, role, remark=reason,
                  extra={"request": {"kind": "suspension", "days": None}})
        request = {"kind": "suspension", "days": None, "reason": reason, "requested_at": at,
                   "requested_by": actor, "from_state": "in_progress", "status": "pending"}
        self.requests.append(request)
        decider, drole = self.who("shift")
        at = self.after(120, 0.8, room=True)
        remark = self.remark("decide_suspension")
        self.step("decide_suspension", at, decider, drole, remark=remark,
                  extra={"request": {"kind": "suspension", "approve": True, "days": None}},
                  state="suspended", stage_deadline=None, stage_started_at=None,
                  deadline_alert="")
        request.update(status="approved", decided_at=at, decided_by=decider,
                       decision_remark=remark)

    def evaluate(self):
        rng = self.rng
        score = _weighted(rng, [(5, 58), (4, 26), (3, 10), (2, 4), (1, 2)])
        comment = rng.choice(data.REMARKS["evaluate"]) if score >= 3 else "处理不及时,不满意"
        at = self.after(600, 1.2)
        actor, role = self.who("clerk") if self.street.code == GULOU else (None,
                                                                                  "reporter")
        extra = None
        remark = comment
        if actor is None:
            remark = f"上报人通过跟踪链接评价:{comment}" if comment else "上报人通过跟踪链接评价"
            extra = {"via": "reporter_link"}
        self.step("evaluate", at, actor, role, remark=remark, extra=extra,
                  evaluation_score=score, evaluation_comment=comment)


def _street_office(street, rng, to_grid_share):
    return None if rng.random() < to_grid_share else street.office_id


def _department(ctx, street, category, rng):
    """Who handles it: the class's department, often the street itself (属地) for city
    management in the towns, or the grid when nobody owns it."""
    dept = category.department_id
    if dept is None:
        return _street_office(street, rng, 0.35 if street.rural else 0.5)
    if dept == ctx.zhifa_id and rng.random() < (0.6 if street.rural else 0.3):
        return street.office_id
    return dept


def _loop(sim, ctx, category, rng, created, late_factor):
    """Run the case through the loop (``_Cut`` stops it at the load time)."""
    source = sim.ev["source"]
    roll = rng.random()
    if roll < 0.01:
        return sim.end("void", "void", "void")
    if source == "grid_patrol" and category.code in data.ON_THE_SPOT and roll < 0.3:
        sim.resolve_on_spot()
        sim.verify(category, passed=True)
        return None
    sim.register()
    if roll > 0.97:
        return sim.end("not_file", "not_file", "not_filed")
    sim.file()
    if rng.random() < 0.03:
        sim.escalate()
    department = _department(ctx, sim.street, category, rng)
    if rng.random() < 0.07 and department is not None:
        wrong = rng.choice([d for d in ctx.departments if d != department] or [department])
        sim.dispatch(category, wrong)
        if rng.random() < 0.4:
            sim.claim()
        sim.return_(category)
    sim.dispatch(category, department)
    sim.claim()
    if rng.random() < 0.02:
        sim.supervise()
    if (rng.random() < 0.006 and sim.street.code != GULOU
            and sim.ev["department_id"] != ctx.zhifa_id):
        sim.suspend()
        return None
    if rng.random() < 0.055:
        sim.extension(approve=rng.random() < 0.88)
    sim.complete(category, late_factor)
    if rng.random() < 0.04:
        sim.verify(category, passed=False)
        sim.complete(category, late_factor)
    sim.verify(category, passed=True)
    if sim.ev["source"] not in ("grid_patrol", "video_patrol") and rng.random() < 0.55:
        sim.evaluate()
    return None


def _keeps_queues_clear(sim, ctx) -> bool:
    """Whether the case must be closed: 鼓楼 and 综合执法 are the demo users' own queues."""
    departments = {s.department_id for s in sim.steps} | {sim.ev.get("department_id")}
    return sim.street.code == GULOU or ctx.zhifa_id in departments


def simulate(ctx: Context, seed: int, index: int) -> Case:
    """Case ``index`` of the history drawn with ``seed``: always the same case."""
    rng = random.Random(seed * 10_000_019 + index)
    street = _pick(rng, ctx.streets, ctx.street_weights)
    day = _pick(rng, ctx.days, ctx.day_weights)
    source, callers = _pick_source(rng)
    created = _report_time(rng, day, source, ctx.now.tzinfo)
    codes, cum = ctx.tables[(street.rural, day.month)]
    category = ctx.categories[_pick(rng, codes, cum)]
    nature = _weighted(rng, data.CALLER_NATURES) if callers else "request"
    # A few recent cases drag on far past their limit (the overdue ones of the dashboards).
    recent = (ctx.now - created) < dt.timedelta(days=45)
    late_factor = 8.0 if recent and rng.random() < 0.04 else (
        3.0 if rng.random() < 0.015 else 1.0)
    # A time of today still to come: the same time on an earlier day.
    while created > ctx.now - dt.timedelta(minutes=5):
        created -= dt.timedelta(days=1)
    state = rng.getstate()
    for _attempt in range(4):
        sim = _Sim(ctx, rng, street, index)
        try:
            sim.report(created, category, source, nature)
            _loop(sim, ctx, category, rng, created, late_factor)
            break
        except _Cut:
            if not _keeps_queues_clear(sim, ctx):
                break
            # Move the whole case back far enough for its loop to end before now.
            created -= dt.timedelta(days=3 + 4 * _attempt) * (1 + late_factor)
            rng.setstate(state)
    sim.ev["version"] = len(sim.steps)
    sim.ev["updated_at"] = sim.steps[-1].at
    return Case(index=index, event=sim.ev, steps=sim.steps, requests=sim.requests)


def _pick_source(rng):
    pairs = [(code, share) for code, share, _ in data.SOURCES]
    code = _weighted(rng, pairs)
    callers = next(c for s, _, c in data.SOURCES if s == code)
    return code, callers


def _report_time(rng, day, source, tz):
    """Patrols and cameras in working hours; callers all day, most in the morning and the
    evening."""
    if source in ("grid_patrol", "video_patrol", "dept_transfer", "leader_instruction"):
        minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
    else:
        hour = rng.choices(range(24), weights=(1, 1, 0.5, 0.5, 0.5, 1, 3, 6, 9, 10, 9, 8, 6,
                                               7, 8, 8, 7, 6, 6, 7, 6, 4, 2, 1))[0]
        minute = hour * 60 + rng.randrange(60)
    return dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60,
                       rng.randrange(60), rng.randrange(1_000_000), tzinfo=tz)
