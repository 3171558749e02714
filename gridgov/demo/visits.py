"""Demo visits: four months of visits to the people in care of the grids that have a demo
grid worker, by that worker, mostly on time, some lapsed (so the overdue list has rows).
Idempotent: nothing is written when the demo already holds visits.

Called from ``load_demo`` after the basic data (its care tags) is in place.
"""

import datetime as dt
import random

from django.utils import timezone

HISTORY_DAYS = 120
KINDS = ["home"] * 6 + ["phone"] * 3 + ["other"]
NOTES = [
    "老人身体状况良好,生活能自理,家中整洁。",
    "血压偏高,已提醒按时服药,子女每周来看望。",
    "电话联系,老人说最近腿脚不便,下次上门查看。",
    "检查了燃气灶和电线,无安全隐患。",
    "老人反映楼道灯坏了,已上报物业。",
    "情绪稍低落,陪聊半小时,建议社区心理志愿者回访。",
    "提醒办理年度养老金资格认证。",
]
NEEDS = [[], [], [], ["medical"], ["safety"], ["psychological"], ["hardship"], ["care"]]


def load(stdout=None, seed: int = 13, today=None) -> dict:
    from gridgov.accounts.models import Assignment
    from gridgov.basedata.models import Person
    from gridgov.visits import actions
    from gridgov.visits.models import Visit, VisitSchedule

    if Visit.objects.exists():
        return {"visits": 0}
    rng = random.Random(seed)
    today = today or timezone.localdate()
    start = today - dt.timedelta(days=HISTORY_DAYS)
    workers = {}
    for a in Assignment.objects.filter(role="grid_worker", area__level="grid").select_related(
            "user", "area").order_by("id"):
        workers.setdefault(a.area.code, a.user)
    people = list(Person.objects.filter(area_code__in=workers, tags__kind="care")
                  .distinct().order_by("pk"))
    actions.sync_schedules([p.pk for p in people], actor=None, today=start)
    intervals = {}
    for row in VisitSchedule.objects.filter(person__in=people, governing=True,
                                            closed_at__isnull=True):
        intervals[row.person_id] = row.interval_days
    now = timezone.now()
    batch = []
    for n, person in enumerate(people):
        interval = intervals.get(person.pk)
        if interval is None:
            continue
        # One in four stopped being visited some weeks ago: they show as overdue.
        stop = today - dt.timedelta(days=rng.randint(interval + 3, interval + 25)) \
            if n % 4 == 0 else today
        day = start + dt.timedelta(days=rng.randint(0, interval))
        while day <= stop:
            at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16),
                                                                      rng.choice((0, 15, 30)))))
            if at > now:
                break
            batch.append({"person": person, "visitor": workers[person.area_code],
                          "visited_at": at, "kind": rng.choice(KINDS),
                          "notes": rng.choice(NOTES), "needs": rng.choice(NEEDS)})
            day += dt.timedelta(days=max(1, interval - rng.randint(0, 2)))
    count = actions.import_visits(batch, actor=None)
    if stdout is not None:
        stdout.write(f"走访 visits: {count} created for {len(people)} people in care\n")
    return {"visits": count}
