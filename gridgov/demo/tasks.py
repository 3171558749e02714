"""Demo tasks from the command room (指挥任务): a handful in 鼓楼街道 for the two demo grid
workers, from the street's dispatcher: open ones (one a verification of a case of the grid),
one accepted, one overdue and one done with its report. Idempotent: nothing is written when
the demo already holds tasks.

Called from ``load_demo`` after the users, the basic data and the events are in place.
"""

import datetime as dt

from django.utils import timezone

DISPATCHER = "dispatch_gulou"
WORKERS = ("gw_gulou", "gw_gulou2")


def load(stdout=None) -> dict:
    from gridgov.accounts.models import User
    from gridgov.areas.models import Area
    from gridgov.events.models import Event
    from gridgov.tasks import actions
    from gridgov.tasks.models import Task, TaskStep

    if Task.objects.exists():
        return {"tasks": 0}
    users = {u.username: u for u in User.objects.filter(username__in=(DISPATCHER, *WORKERS))}
    if len(users) != 3:
        return {"tasks": 0}
    dispatcher, worker, worker2 = (users[n] for n in (DISPATCHER, *WORKERS))
    grid = Area.objects.get(code="330203005001001")
    grid2 = Area.objects.get(code="330203005001002")
    now = timezone.now()
    event = Event.objects.filter(area_code=grid.code).order_by("id").first()
    made = []
    if event is not None:
        made.append(actions.assign_task(
            kind="verify", title=f"核查事件 {event.number}", event=event, assignee=worker,
            instructions="到现场核实问题是否属实,拍照回报。",
            due_at=now + dt.timedelta(hours=4), actor=dispatcher))
    collect = actions.assign_task(
        kind="collect", title="采集新入住租户信息", grid=grid, assignee=worker,
        instructions="核对出租房内新入住人员的身份信息并登记。",
        lng=grid.centroid_lng, lat=grid.centroid_lat,
        due_at=now + dt.timedelta(days=1), actor=dispatcher)
    made.append(actions.accept_task(collect, actor=worker))
    late = actions.assign_task(
        kind="visit", title="走访独居老人", grid=grid2, assignee=worker2,
        instructions="上门了解近况,检查用电用气安全。",
        lng=grid2.centroid_lng, lat=grid2.centroid_lat,
        due_at=now + dt.timedelta(hours=1), actor=dispatcher)
    # Backdated: the demo shows a task the worker let run past its due time.
    Task.objects.filter(pk=late.pk).update(
        due_at=now - dt.timedelta(hours=6), assigned_at=now - dt.timedelta(days=1),
        created_at=now - dt.timedelta(days=1))
    TaskStep.objects.filter(task=late).update(at=now - dt.timedelta(days=1))
    made.append(late)
    done = actions.assign_task(
        kind="collect", title="核对沿街商铺信息", grid=grid, assignee=worker,
        lng=grid.centroid_lng + 0.001, lat=grid.centroid_lat,
        due_at=now + dt.timedelta(hours=2), actor=dispatcher)
    made.append(actions.complete_task(
        done, note="沿街 6 家商铺信息已核对,1 家已关停。", lng=grid.centroid_lng + 0.0011,
        lat=grid.centroid_lat, accuracy_m=15, actor=worker))
    if stdout is not None:
        stdout.write(f"指挥任务 tasks: {len(made)} created\n")
    return {"tasks": len(made)}
