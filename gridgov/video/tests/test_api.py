"""The registry's API: list (filters, near, updated_since), detail by code, writes through
the actions, 400 with the field, 404 outside scope, stream URLs for the owner's managers
only, grants, and a query-count guard."""

import pytest

from gridgov.video.models import Camera

from .support import GOOD_CODE

pytestmark = pytest.mark.django_db


def test_list_filters_and_query_count(api_as, dispatcher, django_assert_max_num_queries):
    api = api_as(dispatcher)
    with django_assert_max_num_queries(12):
        answer = api.get("/api/v1/video/cameras/", {"owner": "D034", "limit": 50})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] > 50 and len(body["results"]) == 50
    assert {r["owner"] for r in body["results"]} == {"D034"}
    assert all("rtsp_url" not in r and "hls_url" not in r for r in body["results"])
    bad = api.get("/api/v1/video/cameras/", {"status": "broken"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"
    since = api.get("/api/v1/video/cameras/", {"updated_since": "2000-01-01T00:00:00Z",
                                               "limit": 5})
    assert since.status_code == 200 and since.json()["results"]


def test_near_lists_the_nearest_first_with_distances(api_as, dispatcher, police_camera):
    answer = api_as(dispatcher).get("/api/v1/video/cameras/", {
        "near": f"{police_camera.lng},{police_camera.lat}", "radius": 300})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert results[0]["code"] == police_camera.code and results[0]["distance_m"] == 0
    distances = [r["distance_m"] for r in results]
    assert distances == sorted(distances) and max(distances) <= 300
    bad = api_as(dispatcher).get("/api/v1/video/cameras/", {"near": "abc"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "near"
    far = api_as(dispatcher).get("/api/v1/video/cameras/", {"near": "1,1", "radius": 99999})
    assert far.status_code == 400 and far.json()["errors"][0]["field"] == "radius"


def test_detail_by_code_and_404_outside_scope(api_as, dispatcher, data_officer, police_camera,
                                              police_officer):
    assert api_as(dispatcher).get(
        f"/api/v1/video/cameras/{police_camera.code}/").status_code == 200
    hidden = api_as(data_officer).get(f"/api/v1/video/cameras/{police_camera.code}/")
    missing = api_as(data_officer).get("/api/v1/video/cameras/33020300001329999999/")
    assert hidden.status_code == missing.status_code == 404
    managed = api_as(police_officer).get(f"/api/v1/video/cameras/{police_camera.code}/")
    assert "rtsp_url" in managed.json()


def test_register_update_status_and_retire(api_as, police_officer, dispatcher, gulou_grid):
    import shapely.geometry

    point = shapely.geometry.shape(gulou_grid.geometry).representative_point()
    api = api_as(police_officer)
    body = {"code": "33020300001140999001", "name": "解码器", "lng": point.x, "lat": point.y,
            "sharing_type": "unconditional"}
    bad = api.post("/api/v1/video/cameras/", body, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "code"
    body.update(code=GOOD_CODE, name="新球机", hls_url="https://video.example/1.m3u8")
    made = api.post("/api/v1/video/cameras/", body, format="json")
    assert made.status_code == 201 and made.json()["area_code"] == gulou_grid.code
    assert made.json()["hls_url"] == "https://video.example/1.m3u8"
    # A user of the camera never sees its stream address.
    seen = api_as(dispatcher).get(f"/api/v1/video/cameras/{GOOD_CODE}/").json()
    assert "hls_url" not in seen
    patched = api.patch(f"/api/v1/video/cameras/{GOOD_CODE}/", {"name": "改名"}, format="json")
    assert patched.status_code == 200 and patched.json()["name"] == "改名"
    status = api.post(f"/api/v1/video/cameras/{GOOD_CODE}/status/", {"status": "fault"},
                      format="json")
    assert status.status_code == 200 and status.json()["status"] == "fault"
    retired = api.post(f"/api/v1/video/cameras/{GOOD_CODE}/retire/", {"reason": "拆除"},
                       format="json")
    assert retired.status_code == 200 and retired.json()["is_active"] is False
    # Others: 403 without video.manage, 404 for another department's managers.
    assert api_as(dispatcher).post("/api/v1/video/cameras/", body,
                                   format="json").status_code == 403


def test_another_departments_manager_cannot_change_a_camera(api_as, dept_admin, police_camera):
    answer = api_as(dept_admin).patch(f"/api/v1/video/cameras/{police_camera.code}/",
                                      {"name": "x"}, format="json")
    assert answer.status_code == 404


def test_grants_create_list_and_revoke(api_as, police_officer, data_officer, police_camera):
    api = api_as(police_officer)
    bad = api.post("/api/v1/video/grants/", {"reason": "x"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "grantee"
    made = api.post("/api/v1/video/grants/", {"camera": police_camera.code,
                                              "department": "D016", "reason": "核查"},
                    format="json")
    assert made.status_code == 201
    grant = made.json()
    assert grant["camera"] == police_camera.code and grant["active"]
    assert api_as(data_officer).get(
        f"/api/v1/video/cameras/{police_camera.code}/").status_code == 200
    listed = api_as(data_officer).get("/api/v1/video/grants/").json()["results"]
    assert [g["id"] for g in listed] == [grant["id"]]
    revoked = api.post(f"/api/v1/video/grants/{grant['id']}/revoke/", {"reason": "办结"},
                       format="json")
    assert revoked.status_code == 200 and not revoked.json()["active"]
    assert api_as(data_officer).get(
        f"/api/v1/video/cameras/{police_camera.code}/").status_code == 404
    # The grantee (a manager of its own department) cannot revoke it: not its grant, 404.
    assert api_as(data_officer).post(f"/api/v1/video/grants/{grant['id']}/revoke/",
                                     {"reason": "x"}, format="json").status_code == 404


def test_a_retried_create_makes_one_camera(api_as, police_officer, gulou_grid):
    import shapely.geometry

    point = shapely.geometry.shape(gulou_grid.geometry).representative_point()
    api = api_as(police_officer)
    body = {"code": GOOD_CODE, "name": "重试", "lng": point.x, "lat": point.y,
            "sharing_type": "unconditional"}
    first = api.post("/api/v1/video/cameras/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api.post("/api/v1/video/cameras/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert Camera.objects.filter(code=GOOD_CODE).count() == 1
