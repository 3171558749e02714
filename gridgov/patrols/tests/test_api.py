"""The patrols API: multipart writes keyed by the client UUID, idempotent replays, 409 with
the current patrol, 400 in the shared shape, scope, updated_since."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from gridgov.patrols.models import Patrol, PatrolPoint

from .support import inside, ms, street_walk

pytestmark = pytest.mark.django_db
URL = "/api/v1/patrols/"


def _start(api, grid, **extra):
    cid = str(uuid.uuid4())
    lng, lat = inside(grid)
    at = (timezone.now() - dt.timedelta(minutes=20)).replace(microsecond=0)
    body = {"client_id": cid, "started_at": at.isoformat(), "lng": lng, "lat": lat,
            "accuracy_m": "6", **extra}
    return cid, (lng, lat), at, api.post(URL, body, format="multipart",
                                         HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_start_points_stop_through_multipart(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    cid, origin, at, response = _start(api, gulou_grid)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_id"] == cid and body["state"] == "active" and body["point_count"] == 1
    rows = street_walk(origin, at + dt.timedelta(seconds=10), metres=1000)
    key = str(uuid.uuid4())
    answer = api.post(f"{URL}{cid}/points/", {"points": json.dumps(rows)}, format="multipart",
                      HTTP_IDEMPOTENCY_KEY=key)
    assert answer.status_code == 200, answer.content
    assert answer.json()["kept"] == 40
    assert answer.json()["distance_km"] == 1.0
    # the same request again (a lost answer): replayed, nothing added
    replay = api.post(f"{URL}{cid}/points/", {"points": json.dumps(rows)},
                      format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replayed") == "true"
    # the same batch under another key (queued twice): the server dedupes it
    again = api.post(f"{URL}{cid}/points/", {"points": json.dumps(rows)},
                     format="multipart", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert again.json()["kept"] == 0
    assert PatrolPoint.objects.filter(patrol__client_id=cid).count() == 41
    end = at + dt.timedelta(minutes=15)
    stopped = api.post(f"{URL}{cid}/stop/", {"ended_at": end.isoformat()}, format="multipart",
                       HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert stopped.status_code == 200, stopped.content
    data = stopped.json()
    assert data["state"] == "ended" and data["duration_s"] == 900
    assert len(data["track"]) == 41 and data["track"][1][3] == rows[1][3]
    detail = api.get(f"{URL}{cid}/").json()
    assert detail["distance_m"] == pytest.approx(1000, abs=0.5)


def test_the_same_start_twice_creates_one_patrol(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    cid, _, at, first = _start(api, gulou_grid)
    again = api.post(URL, {"client_id": cid, "started_at": at.isoformat()}, format="multipart",
                     HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Patrol.objects.filter(worker=grid_worker).count() == 1


def test_a_second_active_patrol_is_a_conflict(api_as, grid_worker, gulou_grid):
    api = api_as(grid_worker)
    cid, _, _, _ = _start(api, gulou_grid)
    _, _, _, second = _start(api, gulou_grid)
    assert second.status_code == 409
    body = second.json()
    assert body["errors"][0]["code"] == "conflict"
    assert body["current"]["client_id"] == cid and body["current"]["state"] == "active"


@pytest.mark.parametrize("points, message", [
    ("not json", "JSON"), ('{"a": 1}', "JSON"), ("[[121.5, 29.8, 5]]", "第 1 个点"),
    ('[[121.5, 29.8, 5, 1764547200000], [500, 29.8, 5, 1764547200000]]', "第 2 个点"),
])
def test_bad_points_are_400_on_the_field(api_as, grid_worker, gulou_grid, points, message):
    api = api_as(grid_worker)
    cid, _, _, _ = _start(api, gulou_grid)
    answer = api.post(f"{URL}{cid}/points/", {"points": points}, format="multipart",
                      HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["field"] == "points" and message in error["message"]


def test_bad_start_input_names_the_field(api_as, grid_worker):
    api = api_as(grid_worker)
    answer = api.post(URL, {"client_id": "nope"}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "client_id"
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    answer = api.post(URL, {"client_id": str(uuid.uuid4()), "started_at": future},
                      format="multipart")
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "started_at"


def test_another_workers_patrol_is_404_and_others_cannot_start(
        api_as, grid_worker, grid_worker2, gulou_grid, dispatcher):
    cid, _, at, _ = _start(api_as(grid_worker), gulou_grid)
    other = api_as(grid_worker2)
    rows = [[121.55, 29.87, 5, ms(at + dt.timedelta(seconds=30))]]
    assert other.post(f"{URL}{cid}/points/", {"points": json.dumps(rows)},
                      format="multipart").status_code == 404
    assert other.post(f"{URL}{cid}/stop/", {}, format="multipart").status_code == 404
    assert other.get(f"{URL}{cid}/").status_code == 404
    # the command room reads it, cannot write
    command = api_as(dispatcher)
    assert command.get(f"{URL}{cid}/").status_code == 200
    assert command.post(f"{URL}{cid}/stop/", {}, format="multipart").status_code == 403
    assert command.post(URL, {"client_id": str(uuid.uuid4())},
                        format="multipart").status_code == 403


def test_list_in_scope_with_updated_since(api_as, grid_worker, grid_worker2, gulou_grid,
                                          gulou_grid2, dispatcher, dept_handler):
    cid1, _, _, _ = _start(api_as(grid_worker), gulou_grid)
    cid2, _, _, _ = _start(api_as(grid_worker2), gulou_grid2)
    ids = {r["client_id"] for r in api_as(dispatcher).get(URL).json()["results"]}
    assert {cid1, cid2} <= ids
    mine = {r["client_id"] for r in api_as(grid_worker).get(URL).json()["results"]}
    assert cid1 in mine and cid2 not in mine
    assert api_as(dept_handler).get(URL).status_code == 403  # no patrol permission at all
    later = (timezone.now() + dt.timedelta(minutes=1)).isoformat()
    assert api_as(dispatcher).get(URL, {"updated_since": later}).json()["results"] == []
    assert api_as(dispatcher).get(URL, {"state": "active", "area": gulou_grid2.code}).json()[
        "count"] == 1
