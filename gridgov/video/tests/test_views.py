"""Pages of the registry: list with filters and map, a camera's page (404 outside what the
reader may use), the managers' forms, the grants page, the statistics and the view log."""

import pytest

from gridgov.video import actions
from gridgov.video.models import Camera, CameraView

from .support import GOOD_CODE

pytestmark = pytest.mark.django_db


def _page(client, camera, **query):
    return client.get(f"/video/cameras/{camera.code}/", query)


def test_anonymous_goes_to_sign_in(client, police_camera):
    assert client.get("/video/").status_code == 302
    assert _page(client, police_camera).status_code == 302


def test_the_list_filters_and_keeps_to_usable_cameras(client_as, dispatcher, police_camera,
                                                      hidden_camera,
                                                      django_assert_max_num_queries):
    client = client_as(dispatcher)
    with django_assert_max_num_queries(20):
        page = client.get("/video/", {"owner": "D015", "status": police_camera.status})
    assert page.status_code == 200
    rows = list(page.context["page_obj"].object_list)
    assert rows and all(c.owner.code == "D015" for c in rows)
    assert page.context["map_config"]["points"]
    text = client.get("/video/", {"q": police_camera.name[:4]})
    assert police_camera in text.context["page_obj"].object_list or \
        text.context["paginator"].count > 0
    # Not-shared cameras are never listed for the command room.
    everything = client.get("/video/", {"owner": "D025", "sharing_type": "not_shared"})
    assert everything.context["paginator"].count == 0
    assert hidden_camera is not None
    assert client.get("/video/", {"area": "12"}).status_code == 400


def test_a_data_officer_of_another_department_is_refused_until_granted(
        client_as, data_officer, police_officer, police, minzheng, police_camera):
    client = client_as(data_officer)
    assert _page(client, police_camera).status_code == 404
    missing = client.get("/video/cameras/33020300001329999999/")
    assert missing.status_code == 404
    grant = actions.grant_cameras(actor=police_officer, owner=police, camera=police_camera,
                                  department=minzheng, reason="民政核查")
    page = _page(client, police_camera)
    assert page.status_code == 200 and page.context["usable"]
    actions.revoke_camera_grant(grant, actor=police_officer, reason="已办结")
    assert _page(client, police_camera).status_code == 404


def test_the_camera_page_for_a_user_and_for_its_manager(client_as, dispatcher, police_officer,
                                                        police_camera):
    page = _page(client_as(dispatcher), police_camera, event="12")
    assert page.status_code == 200
    body = page.content.decode()
    assert police_camera.code in body
    assert page.context["live_url"].endswith("/live/?event=12")
    assert page.context["report_url"].endswith("/report/?event=12")
    assert not page.context["manager"] and "RTSP" not in body
    managed = _page(client_as(police_officer), police_camera)
    assert managed.context["manager"] and "RTSP" in managed.content.decode()
    assert len(managed.context["grants"]) >= 4      # the demo's role and department grants


def test_register_edit_status_and_retire_through_the_pages(client_as, police_officer,
                                                           gulou_grid, dispatcher):
    import shapely.geometry

    point = shapely.geometry.shape(gulou_grid.geometry).representative_point()
    client = client_as(police_officer)
    assert client.get("/video/cameras/new/").status_code == 200
    bad = client.post("/video/cameras/new/", {
        "code": "123", "name": "x", "kind": "dome", "lng": point.x, "lat": point.y,
        "crs": "wgs84", "sharing_type": "unconditional"})
    assert bad.status_code == 400 and "code" in bad.context["form"].errors
    made = client.post("/video/cameras/new/", {
        "code": GOOD_CODE, "name": "测试球机", "kind": "dome", "lng": point.x, "lat": point.y,
        "crs": "wgs84", "sharing_type": "unconditional"})
    assert made.status_code == 302
    camera = Camera.objects.get(code=GOOD_CODE)
    assert client.get(f"/video/cameras/{GOOD_CODE}/edit/").status_code == 200
    edited = client.post(f"/video/cameras/{GOOD_CODE}/edit/", {
        "name": "改名球机", "kind": "dome", "lng": point.x, "lat": point.y, "crs": "wgs84",
        "sharing_type": "unconditional"})
    assert edited.status_code == 302
    assert Camera.objects.get(pk=camera.pk).name == "改名球机"
    client.post(f"/video/cameras/{GOOD_CODE}/status/", {"status": "offline", "reason": "断电"})
    assert Camera.objects.get(pk=camera.pk).status == "offline"
    client.post(f"/video/cameras/{GOOD_CODE}/retire/", {"reason": "拆除"})
    assert not Camera.objects.get(pk=camera.pk).is_active
    # Without video.manage the forms answer 403.
    assert client_as(dispatcher).get(f"/video/cameras/{GOOD_CODE}/edit/").status_code == 403


def test_the_grants_page_gives_and_revokes(client_as, police_officer, police_camera,
                                           data_officer):
    client = client_as(police_officer)
    assert client.get("/video/grants/").status_code == 200
    bad = client.post("/video/grants/", {"reason": "x"})
    assert bad.status_code == 400
    made = client.post("/video/grants/", {"camera": police_camera.code, "department": "D016",
                                          "reason": "民政核查"})
    assert made.status_code == 302
    assert Camera.objects.restrict(data_officer, "view").filter(pk=police_camera.pk).exists()
    grant = police_camera.grants.get(grantee_department__code="D016")
    client.post(f"/video/grants/{grant.pk}/revoke/", {"reason": "办结"})
    assert not Camera.objects.restrict(data_officer, "view").filter(pk=police_camera.pk).exists()


def test_the_grants_and_import_pages_are_for_managers(client_as, dispatcher):
    client = client_as(dispatcher)
    assert client.get("/video/grants/").status_code == 403
    assert client.get("/video/import/").status_code == 403


def test_the_statistics_page(client_as, leader, police_camera, dispatcher):
    from django.utils import timezone

    now = timezone.now()
    CameraView.objects.create(camera=police_camera, user=dispatcher, reason="核查",
                              issued_at=now, expires_at=now)
    CameraView.objects.create(camera=police_camera, user=dispatcher, reason="复查",
                              issued_at=now, expires_at=now)
    page = client_as(leader).get("/video/stats/")
    assert page.status_code == 200
    rows = {r["department"].code: r for r in page.context["rows"]}
    police = rows["D015"]
    assert police["total"] == Camera.objects.filter(owner__code="D015", is_active=True).count()
    assert police["online"] + police["offline"] + police["fault"] == police["total"]
    assert police["rate"] == round(100 * police["online"] / police["total"], 1)
    assert police["views"] >= 2 and police["users"] >= 1
    assert page.context["total"]["total"] == Camera.objects.filter(is_active=True).count()
    assert client_as(leader).get("/video/stats/", {"since": "x"}).status_code == 400
    assert client_as(dispatcher).get("/video/stats/").status_code == 403


def test_the_view_log_keeps_to_restrict(client_as, dispatcher, data_officer, police_camera):
    from django.utils import timezone

    now = timezone.now()
    CameraView.objects.create(camera=police_camera, user=dispatcher, reason="核查事件",
                              issued_at=now, expires_at=now)
    mine = client_as(dispatcher).get("/video/views/")
    assert mine.status_code == 200 and "核查事件" in mine.content.decode()
    other = client_as(data_officer).get("/video/views/")
    assert "核查事件" not in other.content.decode()
