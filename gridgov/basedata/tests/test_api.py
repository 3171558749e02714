import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions

URL = "/api/basedata/people/"


def test_list_is_masked_and_scoped(api_as, grid_worker, person, person2):
    response = api_as(grid_worker).get(URL, {"limit": 500})
    assert response.status_code == 200
    rows = response.json()["results"]
    ids = {r["id"] for r in rows}
    assert person.pk in ids and person2.pk not in ids
    row = next(r for r in rows if r["id"] == person.pk)
    assert row["id_number"] == person.id_masked and "*" in row["id_number"]
    assert row["phone"] == "139****5678"
    assert person.id_number() not in response.content.decode()
    assert {r["grid"] for r in rows} == {person.area_code}


def test_other_grid_is_404(api_as, grid_worker, person2):
    client = api_as(grid_worker)
    assert client.get(f"{URL}{person2.pk}/").status_code == 404
    assert client.post(f"{URL}{person2.pk}/reveal/", {"field": "phone", "reason": "看看"},
                       format="json").status_code == 404


def test_admins_and_department_handlers_see_no_people(api_as, sys_admin, dept_handler, person):
    for user in (sys_admin, dept_handler):
        assert api_as(user).get(f"{URL}{person.pk}/").status_code == 404


def test_list_query_count_is_constant(api_as, data_officer, gulou_grid, id_number):
    client = api_as(data_officer)
    client.get(URL, {"limit": 5})
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"limit": 5})
    for n in range(5):
        actions.create_person(actor=None, grid=gulou_grid, name=f"批{n}",
                              id_number=id_number(), tags=["独居老人"])
    with CaptureQueriesContext(connection) as big:
        assert client.get(URL, {"limit": 100}).status_code == 200
    assert len(big) == len(small) <= 8


def test_filters_by_exact_id_number_phone_and_tag(api_as, data_officer, person, gulou_grid):
    client = api_as(data_officer)
    rows = client.get(URL, {"q": person.id_number()}).json()["results"]
    assert [r["id"] for r in rows] == [person.pk]
    rows = client.get(URL, {"q": "13912345678"}).json()["results"]
    assert [r["id"] for r in rows] == [person.pk]
    actions.set_tags(person, ["独居老人"], actor=None)
    from gridgov.basedata.models import Tag

    tag = Tag.objects.get(name="独居老人")
    rows = client.get(URL, {"tag": tag.pk, "area": gulou_grid.code, "limit": 500}).json()
    assert person.pk in {r["id"] for r in rows["results"]}
    assert client.get(URL, {"area": "x"}).status_code == 400


def test_special_tags_only_for_roles_that_need_them(api_as, grid_worker, grid_chief,
                                                    data_officer, person):
    actions.set_tags(person, ["社区矫正对象", "独居老人"], actor=None)
    tags_gw = api_as(grid_worker).get(f"{URL}{person.pk}/").json()["tags"]
    assert tags_gw == ["独居老人"]
    for user in (grid_chief, data_officer):
        tags = api_as(user).get(f"{URL}{person.pk}/").json()["tags"]
        assert set(tags) == {"社区矫正对象", "独居老人"}


def test_create_and_errors(api_as, grid_worker, gulou_grid, gulou_grid2, id_number):
    client = api_as(grid_worker)
    number = id_number()
    response = client.post(URL, {"name": "新人", "id_number": number, "grid": gulou_grid.code,
                                 "phone": "13955556666"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == number[:6] + "********" + number[-4:]
    assert body["provenance"]["id_number"]["by"] == grid_worker.real_name
    bad = client.post(URL, {"name": "坏", "id_number": number[:-1] + "Y",
                            "grid": gulou_grid.code}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "id_number"
    dup = client.post(URL, {"name": "重", "id_number": number, "grid": gulou_grid.code},
                      format="json")
    assert dup.status_code == 400 and "已登记" in dup.json()["errors"][0]["message"]
    assert client.post(URL, {"name": "越", "id_number": id_number(), "grid": gulou_grid2.code},
                       format="json").status_code == 403


def test_reveal_endpoint_audited(api_as, grid_worker, leader, person):
    client = api_as(grid_worker)
    assert client.post(f"{URL}{person.pk}/reveal/", {"field": "id_number"},
                       format="json").status_code == 400
    response = client.post(f"{URL}{person.pk}/reveal/",
                           {"field": "id_number", "reason": "办理低保核对"}, format="json")
    assert response.status_code == 200
    assert response.json()["value"] == person.id_number()
    assert response["Cache-Control"] == "no-store"
    assert AuditRecord.objects.filter(action="basedata.person.reveal",
                                      remark="办理低保核对").exists()
    assert api_as(leader).post(f"{URL}{person.pk}/reveal/",
                               {"field": "phone", "reason": "领导查看"},
                               format="json").status_code == 403


def test_patch_person(api_as, grid_worker, person):
    response = api_as(grid_worker).patch(f"{URL}{person.pk}/", {"address": "改后"},
                                         format="json")
    assert response.status_code == 200 and response.json()["address"] == "改后"


@pytest.mark.parametrize("path", ["houses", "organisations", "components"])
def test_object_lists(api_as, leader, dept_handler, path):
    response = api_as(leader).get(f"/api/basedata/{path}/", {"limit": 5})
    assert response.status_code == 200
    assert response.json()["count"] > 0
    # A district department handler sees the district's objects, but no people.
    assert api_as(dept_handler).get(f"/api/basedata/{path}/").status_code == 200


def test_component_create_and_state(api_as, grid_worker, gulou_grid):
    from gridgov.areas.index import lookup_point

    lng, lat = gulou_grid.centroid_lng, gulou_grid.centroid_lat
    if lookup_point(lng, lat).pk != gulou_grid.pk:
        pytest.skip("centroid outside its grid")
    client = api_as(grid_worker)
    response = client.post("/api/basedata/components/", {"major": "01", "minor": "08",
                                                         "lng": lng, "lat": lat}, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(f"/api/basedata/components/{pk}/state/", {"state": "lost"},
                           format="json")
    assert response.json()["state"] == "lost"


def test_grid_worker_cannot_filter_by_special_group(api_as, grid_worker, leader, person):
    from gridgov.basedata.models import Tag

    actions.set_tags(person, ["社区矫正对象"], actor=None)
    tag = Tag.objects.get(name="社区矫正对象")
    assert api_as(grid_worker).get(URL, {"tag": tag.pk}).status_code == 400
    rows = api_as(leader).get(URL, {"tag": tag.pk}).json()["results"]
    assert [r["id"] for r in rows] == [person.pk]


BUILDINGS = "/api/basedata/buildings/"


def test_buildings_list_and_detail_are_scoped(api_as, grid_worker, grid_chief, gulou_grid2,
                                              building, building2):
    # A house of gw_gulou's building recorded in the sibling grid: not counted for gw_gulou.
    actions.create_house(actor=None, building=building, grid=gulou_grid2, room="901")
    client = api_as(grid_worker)
    rows = client.get(BUILDINGS, {"limit": 500}).json()["results"]
    assert {r["id"] for r in rows} == {building.pk}
    assert rows[0]["house_count"] == 2 and rows[0]["grid"] == building.area_code
    detail = client.get(f"{BUILDINGS}{building.pk}/")
    assert detail.status_code == 200
    assert sorted(h["room"] for h in detail.json()["houses"]) == ["101", "102"]
    hidden = client.get(f"{BUILDINGS}{building2.pk}/")
    missing = client.get(f"{BUILDINGS}{building2.pk + 10_000}/")
    assert hidden.status_code == missing.status_code == 404
    # The grid chief of the community sees both buildings and all three houses.
    rows = api_as(grid_chief).get(BUILDINGS, {"limit": 500}).json()["results"]
    counts = {r["id"]: r["house_count"] for r in rows}
    assert counts[building.pk] == 3 and counts[building2.pk] == 0


def test_buildings_are_read_only(api_as, grid_worker, building):
    client = api_as(grid_worker)
    assert client.post(BUILDINGS, {"name": "x", "address": "y"},
                       format="json").status_code == 405
    assert client.patch(f"{BUILDINGS}{building.pk}/", {"name": "x"},
                        format="json").status_code == 405


def test_buildings_not_for_admins(api_as, sys_admin, audit_admin, building):
    for user in (sys_admin, audit_admin):
        assert api_as(user).get(f"{BUILDINGS}{building.pk}/").status_code == 404


def test_building_filters(api_as, grid_chief, building, building2):
    client = api_as(grid_chief)

    def ids(**params):
        response = client.get(BUILDINGS, {"limit": 500, **params})
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["results"]} & {building.pk, building2.pk}

    assert ids() == {building.pk, building2.pk}
    assert ids(q="2幢") == {building2.pk}
    assert ids(q="测试楼路8") == {building.pk}
    assert ids(area=building.area_code) == {building.pk}
    assert ids(floors_min=10) == {building2.pk}
    assert ids(floors_max=6) == {building.pk}
    assert ids(source="import") == set()
    bad = client.get(BUILDINGS, {"area": "x"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "area"
    assert client.get(BUILDINGS, {"floors_min": -1}).status_code == 400


def test_building_filters_never_widen_scope(api_as, grid_worker, building2):
    rows = api_as(grid_worker).get(BUILDINGS, {"area": building2.area_code}).json()
    assert rows["count"] == 0


def test_buildings_list_query_count_is_constant(api_as, grid_chief, gulou_grid, building,
                                                django_assert_max_num_queries):
    client = api_as(grid_chief)
    client.get(BUILDINGS, {"limit": 5})
    with CaptureQueriesContext(connection) as small:
        client.get(BUILDINGS, {"limit": 100})
    for n in range(5):
        b = actions.create_building(actor=None, grid=gulou_grid, name=f"{n}幢",
                                    address="计数路1号", floors=n + 1)
        actions.create_house(actor=None, building=b, room=f"{n}01")
    with django_assert_max_num_queries(len(small)):
        response = client.get(BUILDINGS, {"limit": 100})
    assert response.status_code == 200
    assert response.json()["count"] >= 6
    assert len(small) <= 8


def test_house_and_organisation_create_through_actions(api_as, grid_worker, leader,
                                                       gulou_grid, gulou_grid2, uscc_code):
    client = api_as(grid_worker)
    response = client.post("/api/basedata/houses/", {"address": "接口路1号", "room": "101",
                                                    "grid": gulou_grid.code}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == gulou_grid.code and body["room"] == "101"
    assert AuditRecord.objects.filter(action="basedata.house.create",
                                      object_id=str(body["id"])).exists()
    again = client.post("/api/basedata/houses/", {"address": "接口路1号", "room": "101",
                                                 "grid": gulou_grid.code}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "room"
    unknown = client.post("/api/basedata/houses/", {"address": "接口路2号",
                                                   "grid": "330203999999999"}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [
        {"field": "grid", "code": "invalid", "message": "网格编码不存在。"}]
    assert client.post("/api/basedata/houses/", {"address": "接口路3号",
                                                "grid": gulou_grid2.code},
                       format="json").status_code == 403
    # A role that may read houses but not record them: 403 before any input is read.
    assert api_as(leader).post("/api/basedata/houses/", {}, format="json").status_code == 403
    code = uscc_code()
    response = client.post("/api/basedata/organisations/", {
        "name": "接口公司", "uscc": code, "grid": gulou_grid.code}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == code and response.json()["org_type"] == "enterprise"
    missing = client.post("/api/basedata/organisations/", {"uscc": code}, format="json")
    assert missing.status_code == 400
    assert {e["field"] for e in missing.json()["errors"]} == {"name"}


def test_create_only_viewsets_offer_no_update(api_as, grid_worker, gulou_grid):
    from gridgov.core.tests.test_schema import _schema_document

    comp = actions.create_component(actor=None, major="01", minor="08",
                                    lng=gulou_grid.centroid_lng, lat=gulou_grid.centroid_lat)
    response = api_as(grid_worker).patch(f"/api/basedata/components/{comp.pk}/",
                                         {"name": "9"}, format="json")
    assert response.status_code == 405
    paths = _schema_document()["paths"]
    assert "patch" not in paths["/api/v1/basedata/components/{id}/"]
    for path in ("/api/v1/basedata/houses/{id}/", "/api/v1/basedata/organisations/{id}/"):
        # Houses and organisations are changed with expected_version (issue 13).
        assert "put" not in paths[path], path
        assert paths[path]["patch"]["x-permissions"] == ["basedata.change"], path
    person_ops = paths["/api/v1/basedata/people/{id}/"]
    assert person_ops["patch"]["x-permissions"] == ["basedata.change"]
    assert person_ops["get"]["x-permissions"] == ["basedata.view_people"]
    assert paths["/api/v1/basedata/people/{id}/reveal/"]["post"]["x-permissions"] == [
        "basedata.reveal"]
    assert paths["/api/v1/basedata/houses/"]["post"]["x-permissions"] == ["basedata.change"]


def test_person_create_with_a_house_out_of_scope_is_404(api_as, grid_worker, gulou_grid,
                                                       gulou_grid2, id_number):
    mine = actions.create_house(actor=None, grid=gulou_grid, address="归属路1号")
    other = actions.create_house(actor=None, grid=gulou_grid2, address="归属路2号")
    client = api_as(grid_worker)
    response = client.post(URL, {"name": "住户", "id_number": id_number(), "house": mine.pk},
                           format="json")
    assert response.status_code == 201, response.content
    # No grid given: the person goes to the house's grid.
    assert response.json()["grid"] == gulou_grid.code and response.json()["house"] == mine.pk
    response = client.post(URL, {"name": "越界", "id_number": id_number(), "house": other.pk},
                           format="json")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_component_state_errors_use_the_shared_shape(api_as, grid_worker, leader, gulou_grid):
    comp = actions.create_component(actor=None, major="01", minor="08",
                                    lng=gulou_grid.centroid_lng, lat=gulou_grid.centroid_lat)
    url = f"/api/basedata/components/{comp.pk}/state/"
    if comp.grid_id != gulou_grid.pk:
        pytest.skip("centroid outside its grid")
    client = api_as(grid_worker)
    bad = client.post(url, {"state": "melted"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "state"
    assert client.post(url, {}, format="json").json()["errors"][0]["field"] == "state"
    assert api_as(leader).post(url, {"state": "lost"}, format="json").status_code == 403
    ok = client.post(url, {"state": "damaged", "remark": "井盖裂开"}, format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "damaged"
    rec = AuditRecord.objects.filter(action="basedata.component.state").latest("pk")
    assert rec.remark == "井盖裂开"
