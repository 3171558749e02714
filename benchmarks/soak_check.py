"""The soak test's database side, in the driving process (Django on the soak's database):
the fixture the clients need, and the end checks that nothing acknowledged was lost.
"""

import json
import os
import random
import time
import urllib.request

FINAL_JOB_STATES = {"done", "failed", "cancelled"}
# Jobs Celery beat must have run during the soak (core.JobState rows, runner "beat").
BEAT_JOBS = ("audit_seal", "deadline_scan")


def setup_django(env: dict) -> None:
    """Django in this process, on the soak's database and Redis, with its keys."""
    os.environ.update(env)
    import django

    django.setup()


def points_in(community: str, count: int = 400, seed: int = 7) -> list[tuple[float, float]]:
    """``count`` random points (lng, lat) inside the grids of ``community``, so every case
    falls in the scope of the demo's 鼓楼 staff."""
    import shapely.geometry
    from shapely.prepared import prep

    from gridgov.areas.models import Area

    rng = random.Random(seed)
    shapes = [shapely.geometry.shape(g).buffer(-0.0002) for g in Area.objects.current()
              .filter(level="grid", code__startswith=community).values_list("geometry", flat=True)]
    shapes = [s for s in shapes if not s.is_empty]
    out = []
    while len(out) < count:
        shape = rng.choice(shapes)
        minx, miny, maxx, maxy = shape.bounds
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if prep(shape).contains(shapely.geometry.Point(x, y)):
            out.append((round(x, 6), round(y, 6)))
    return out


def issue_key() -> tuple[str, str]:
    """A department API key of 区综合行政执法局 (D034), as the intake benchmark issues it; and
    the minor class its reports use (the first one defaulting to that department)."""
    from gridgov.accounts.actions import issue_api_key
    from gridgov.accounts.models import Department
    from gridgov.events.models import MinorCategory

    department = Department.objects.get(code="D034")
    _key, raw = issue_api_key(department, name="soak test", actor=None)
    category = (MinorCategory.objects.filter(is_active=True, default_department=department)
                .order_by("code").first())
    return raw, category.code


def granted_resource(port: int, raw_key: str) -> tuple[str, str]:
    """The demo's granted resource (养老服务机构名录 to D034): its code for the exchange API
    and its CKAN resource id (asked of CKAN, as a harvester would)."""
    from gridgov.sharing.models import Resource

    resource = Resource.objects.get(name="养老服务机构名录")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/3/action/package_search?include_private=true&rows=1000",
        headers={"Authorization": raw_key})
    with urllib.request.urlopen(request, timeout=60) as response:
        packages = json.load(response)["result"]["results"]
    for package in packages:
        for item in package.get("resources", []):
            if resource.code in json.dumps(item, ensure_ascii=False):
                return resource.code, item["id"]
    raise SystemExit(f"CKAN does not list the resource {resource.code}")


def job_states() -> dict:
    """Each scheduled job's row: last start, runner and run count."""
    from gridgov.core.models import JobState

    return {row.name: (row.last_started_at, row.last_runner, row.runs)
            for row in JobState.objects.all()}


def wait_for_jobs(uids: list, timeout: float) -> dict:
    """Wait up to ``timeout`` s for the submitted background jobs to end; uid → status."""
    from django.db import connection

    from gridgov.background.models import BackgroundJob

    deadline = time.time() + timeout
    while True:
        states = dict(BackgroundJob.objects.filter(uid__in=uids).values_list("uid", "status"))
        states = {str(k): v for k, v in states.items()}
        if all(states.get(u) in FINAL_JOB_STATES for u in uids) or time.time() > deadline:
            connection.close()
            return {u: states.get(u, "missing") for u in uids}
        time.sleep(2)


def lost_reports(reports: list) -> list[str]:
    """Acknowledged reports without their event, its ``events.report`` audit record or its
    ``report`` trace step."""
    from gridgov.audit.models import AuditRecord
    from gridgov.events.models import Event, EventStep

    lost = []
    ids = {r[1] for r in reports if r[1] is not None}
    numbers = {r[2] for r in reports if r[1] is None and not r[2].startswith("token:")}
    tokens = {r[2][6:] for r in reports if r[1] is None and r[2].startswith("token:")}
    found = dict(Event.objects.filter(pk__in=ids).values_list("pk", "pk"))
    found.update({n: pk for n, pk in Event.objects.filter(number__in=numbers)
                  .values_list("number", "pk")})
    found.update({t: pk for t, pk in Event.objects.filter(external_id__in=tokens)
                  .values_list("external_id", "pk")})
    pks = set(found.values())
    audited = {int(x) for x in AuditRecord.objects.filter(
        object_type="events.event", action="events.report",
        object_id__in=[str(pk) for pk in pks]).values_list("object_id", flat=True)}
    stepped = set(EventStep.objects.filter(event_id__in=pks, action="report")
                  .values_list("event_id", flat=True))
    for kind, pk, number in reports:
        ref = pk if pk is not None else (number[6:] if number.startswith("token:") else number)
        event = found.get(ref)
        if event is None:
            lost.append(f"{kind} report {ref}: no event")
        elif event not in audited:
            lost.append(f"{kind} report {ref}: no audit record events.report")
        elif event not in stepped:
            lost.append(f"{kind} report {ref}: no trace step")
    return lost


def lost_transitions(transitions: list) -> list[str]:
    """Acknowledged workflow steps (200) without their trace step or audit record."""
    from gridgov.audit.models import AuditRecord
    from gridgov.events.models import EventStep

    pks = {pk for pk, _action in transitions}
    steps = set(EventStep.objects.filter(event_id__in=pks).values_list("event_id", "action"))
    audited = {(int(o), a.split(".", 1)[1]) for o, a in AuditRecord.objects.filter(
        object_type="events.event", object_id__in=[str(pk) for pk in pks],
        action__startswith="events.").values_list("object_id", "action")}
    lost = []
    for pk, action in transitions:
        if (pk, action) not in steps:
            lost.append(f"event {pk} {action}: no trace step")
        elif (pk, action) not in audited:
            lost.append(f"event {pk} {action}: no audit record events.{action}")
    return lost


def beat_ran(before: dict, after: dict, started) -> dict:
    """Per job of ``BEAT_JOBS``: whether beat ran it during the soak, with the evidence."""
    out = {}
    for name in BEAT_JOBS:
        last, runner, runs = after.get(name, (None, "", 0))
        runs_before = before.get(name, (None, "", 0))[2]
        ok = last is not None and last >= started and runner == "beat" and runs > runs_before
        out[name] = (ok, f"last start {last:%H:%M:%S} by {runner}, runs {runs_before} → {runs}"
                     if last else "never ran")
    return out
