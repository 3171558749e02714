"""The visits API: multipart create (idempotent), bounds, scope, schedules, plans."""

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone

from gridgov.visits import actions
from gridgov.visits.models import Visit, VisitPlan

from .support import ago, make_person

pytestmark = pytest.mark.django_db
URL = "/api/v1/visits/"


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()


def photo(name="a.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, jpeg(), content_type="image/jpeg")


def test_create_multipart_and_a_replay_creates_nothing_twice(gulou_grid, grid_worker, api_as):
    person = make_person(gulou_grid, "接口甲", "独居老人")
    actions.sync_schedules([person.pk])
    key = str(uuid.uuid4())
    form = {"person": person.pk, "kind": "home", "notes": "身体良好",
            "needs": ["medical", "safety"], "visited_at": ago(0, hours=1).isoformat(),
            "lng": "121.55", "lat": "29.87", "accuracy_m": "12", "photos": [photo()]}
    api = api_as(grid_worker)
    first = api.post(URL, form, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["needs"] == ["medical", "safety"] and body["client_id"] == key
    assert body["lng"] == 121.55 and len(body["photos"]) == 1
    form["photos"] = [photo()]
    again = api.post(URL, form, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert Visit.objects.filter(person=person).count() == 1
    # The photo is served to who may see the visit.
    got = api.get(body["photos"][0]["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"


def test_bad_input_answers_400_with_the_field(gulou_grid, grid_worker, api_as):
    person = make_person(gulou_grid, "接口乙", "独居老人")
    api = api_as(grid_worker)
    future = (timezone.now() + dt.timedelta(minutes=10)).isoformat()
    for form, field in [({"visited_at": future, "notes": "x"}, "visited_at"),
                        ({"visited_at": ago(8).isoformat(), "notes": "x"}, "visited_at"),
                        ({"needs": ["nope"], "notes": "x"}, "needs"),
                        ({"notes": ""}, "notes")]:
        answer = api.post(URL, {"person": person.pk, **form}, format="multipart")
        assert answer.status_code == 400, form
        assert field in [e["field"].split(".")[0] for e in answer.json()["errors"]], answer.json()


def test_scope_another_grid_is_404(gulou_grid, grid_worker, grid_worker2, api_as):
    person = make_person(gulou_grid, "接口丙", "独居老人")
    # Since just before this visit: the demo's own visits, loaded when the test database was
    # made (maybe a minute ago), must not fill the first page.
    since = timezone.now() - dt.timedelta(seconds=1)
    visit = actions.record_visit(person, notes="x", actor=grid_worker)
    other = api_as(grid_worker2)
    assert other.get(f"{URL}{visit.pk}/").status_code == 404
    assert other.post(URL, {"person": person.pk, "notes": "x"},
                      format="multipart").status_code == 404
    mine = api_as(grid_worker)
    listed = mine.get(URL, {"updated_since": since.isoformat()}).json()
    assert visit.pk in [v["id"] for v in listed["results"]]
    assert mine.get(URL, {"person": person.pk}).json()["results"][0]["id"] == visit.pk


def test_overdue_schedules(gulou_grid, grid_worker, api_as):
    late = make_person(gulou_grid, "接口丁", "独居老人")
    fresh = make_person(gulou_grid, "接口戊", "独居老人")
    actions.sync_schedules([late.pk], today=timezone.localdate() - dt.timedelta(days=9))
    actions.sync_schedules([fresh.pk])
    api = api_as(grid_worker)
    rows = api.get("/api/v1/visit-schedules/", {"overdue": "true", "limit": 500}).json()
    names = {r["person_name"]: r for r in rows["results"]}
    assert names["接口丁"]["days_overdue"] == 2 and "接口戊" not in names
    bad = api.get("/api/v1/visit-schedules/", {"due_by": "soon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "due_by"


def test_plans_admin_only_and_a_stale_change_is_a_conflict(grid_worker, sys_admin, api_as):
    plan = VisitPlan.objects.get(tag__name="高龄老人", area_code="", is_active=True)
    url = f"/api/v1/visit-plans/{plan.pk}/"
    worker = api_as(grid_worker)
    assert worker.get("/api/v1/visit-plans/").status_code == 200
    assert worker.patch(url, {"interval_days": 5}, format="multipart").status_code == 403
    admin = api_as(sys_admin)
    ok = admin.patch(url, {"interval_days": 21, "expected_version": plan.version},
                     format="multipart")
    assert ok.status_code == 200 and ok.json()["interval_days"] == 21
    stale = admin.patch(url, {"interval_days": 14, "expected_version": plan.version},
                        format="multipart")
    assert stale.status_code == 409
    assert stale.json()["current"]["interval_days"] == 21
    bad = admin.patch(url, {"interval_days": 0}, format="multipart")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "interval_days"
