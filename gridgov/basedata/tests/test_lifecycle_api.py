"""The person lifecycle API of issue 13: multipart fields as the terminal's
outbox sends them, the shared error shape, 409 with ``current`` on a stale
``expected_version``, replay of an Idempotency-Key, and lists of residing people."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions
from gridgov.basedata.models import ChangeRecord, House, Organisation, Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/basedata/people/"
TODAY = dt.date.today().isoformat()


@pytest.fixture
def house(gulou_grid):
    return actions.create_house(actor=None, grid=gulou_grid, address="接口路1号", room="201")


def post(client, url, data, key=None):
    """A multipart POST as the outbox sends it."""
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, data, format="multipart", HTTP_ACCEPT="application/json",
                       HTTP_X_REQUESTED_WITH="outbox", **extra)


def errors(response):
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_person_json_carries_status_and_version(api_as, grid_worker, person):
    body = api_as(grid_worker).get(f"{URL}{person.pk}/").json()
    assert body["version"] == 1 and body["status"] == "residing"
    assert body["status_display"] == "在住" and body["status_on"] is None
    assert body["phone"] == "139****5678"


def test_move_out_over_multipart_then_retry_replays(api_as, grid_worker, person):
    client = api_as(grid_worker)
    data = {"on": TODAY, "destination": "杭州市", "reason": "投靠子女", "expected_version": "1"}
    first = post(client, f"{URL}{person.pk}/move-out/", data, key="f-move-out-1")
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["status"], body["status_display"], body["status_on"], body["version"]) == (
        "moved_out", "已迁出", TODAY, 2)
    marks = AuditRecord.objects.count(), ChangeRecord.objects.count()
    again = post(client, f"{URL}{person.pk}/move-out/", data, key="f-move-out-1")
    assert again.status_code == 200 and again.json() == body
    assert again["Idempotent-Replayed"] == "true"
    assert (AuditRecord.objects.count(), ChangeRecord.objects.count()) == marks


def test_a_stale_version_answers_409_with_the_current_record(api_as, grid_worker, person):
    client = api_as(grid_worker)
    actions.update_person(person, actor=grid_worker, address="他人改过路9号")
    response = post(client, f"{URL}{person.pk}/phone/",
                    {"phone": "13800001111", "expected_version": "1"})
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["code"] == "conflict"
    assert body["errors"][0]["field"] == "expected_version"
    assert body["current"]["version"] == 2 and body["current"]["address"] == "他人改过路9号"
    assert body["current"]["phone"] == "139****5678"
    assert Person.objects.get(pk=person.pk).phone_masked == "139****5678"
    # PATCH (the outbox's data-method="PATCH") answers the same way.
    patch = client.patch(f"{URL}{person.pk}/", {"name": "改名", "expected_version": 1},
                         format="multipart")
    assert patch.status_code == 409 and patch.json()["current"]["name"] == person.name


def test_bad_input_is_400_with_the_form_field_names(api_as, grid_worker, person):
    client = api_as(grid_worker)
    response = post(client, f"{URL}{person.pk}/move-out/", {"on": "2099-01-01",
                                                          "destination": "上海市"})
    assert response.status_code == 400 and errors(response) == {"on": "日期不能晚于今天。"}
    response = post(client, f"{URL}{person.pk}/move-out/", {"on": TODAY})
    assert response.status_code == 400 and "destination" in errors(response)
    response = post(client, f"{URL}{person.pk}/phone/", {"phone": "12345"})
    assert errors(response) == {"phone": "手机号应为以1开头的11位号码。"}
    response = post(client, f"{URL}{person.pk}/death/", {"on": TODAY, "expected_version": "x"})
    assert response.status_code == 400 and "expected_version" in errors(response)


def test_death_then_move_out_is_refused(api_as, grid_worker, person):
    client = api_as(grid_worker)
    assert post(client, f"{URL}{person.pk}/death/", {"on": TODAY, "note": "病故"}
                ).json()["status"] == "deceased"
    response = post(client, f"{URL}{person.pk}/move-out/", {"on": TODAY, "destination": "上海"})
    assert response.status_code == 400
    assert errors(response) == {"person": "已死亡人员不能办理迁出。"}


def test_move_in_and_household(api_as, grid_worker, person, house, gulou_grid, id_number):
    client = api_as(grid_worker)
    response = post(client, f"{URL}{person.pk}/move-in/", {"house": house.pk, "on": TODAY})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["house"] == house.pk and body["household_head"] == person.pk
    other = actions.create_person(actor=None, grid=gulou_grid, name="同户人", id_number=id_number())
    response = post(client, f"{URL}{other.pk}/household/",
                    {"household_head": person.pk, "relation_to_head": "spouse"})
    assert response.status_code == 200
    assert (response.json()["household_head"], response.json()["relation_to_head"]) == (
        person.pk, "spouse")
    # Empty head: the person heads a new household.
    response = post(client, f"{URL}{other.pk}/household/", {"household_head": ""})
    assert response.json()["household_head"] == other.pk
    assert response.json()["relation_to_head"] == "head"


def test_references_out_of_scope_are_400(api_as, grid_worker, person, person2, gulou_grid2):
    client = api_as(grid_worker)
    far = actions.create_house(actor=None, grid=gulou_grid2, address="远处路1号")
    response = post(client, f"{URL}{person.pk}/move-in/", {"house": far.pk, "on": TODAY})
    assert response.status_code == 400
    assert errors(response) == {"house": "房屋不存在或不在您的范围内。"}
    response = post(client, f"{URL}{person.pk}/household/",
                    {"household_head": person2.pk, "relation_to_head": "spouse"})
    assert errors(response) == {"household_head": "人员不存在或不在您的范围内。"}
    # The person itself out of scope: 404.
    assert post(client, f"{URL}{person2.pk}/phone/", {"phone": "13800001111"}
                ).status_code == 404


def test_create_takes_house_head_relation_and_move_in_date(api_as, grid_worker, house,
                                                           person, id_number):
    response = post(api_as(grid_worker), URL, {
        "name": "新住户", "id_number": id_number(), "house": house.pk,
        "household_head": person.pk, "relation_to_head": "child", "moved_in_on": TODAY})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["house"], body["household_head"], body["relation_to_head"]) == (
        house.pk, person.pk, "child")
    assert body["moved_in_on"] == TODAY and body["version"] == 1


def test_house_and_organisation_patch_with_versions(api_as, grid_worker, house, gulou_grid,
                                                    uscc_code):
    client = api_as(grid_worker)
    url = f"/api/v1/basedata/houses/{house.pk}/"
    response = client.patch(url, {"use": "commercial", "rental_status": "rented",
                                  "expected_version": "1"}, format="multipart")
    assert response.status_code == 200, response.content
    assert (response.json()["use"], response.json()["version"]) == ("commercial", 2)
    stale = client.patch(url, {"use": "office", "expected_version": "1"}, format="multipart")
    assert stale.status_code == 409 and stale.json()["current"]["use"] == "commercial"
    assert client.patch(url, {"use": "castle"}, format="multipart").status_code == 400
    assert House.objects.get(pk=house.pk).use == "commercial"

    org = actions.create_organisation(actor=None, grid=gulou_grid, name="接口公司",
                                      uscc=uscc_code())
    url = f"/api/v1/basedata/organisations/{org.pk}/"
    response = client.patch(url, {"legal_representative": "张三", "expected_version": "1"},
                            format="multipart")
    assert response.status_code == 200 and response.json()["version"] == 2
    bad = client.patch(url, {"uscc": "91350100M000100Y40"}, format="multipart")
    assert errors(bad) == {"uscc": "统一社会信用代码校验位错误:末位应为 3(GB 32100)。"}
    assert Organisation.objects.get(pk=org.pk).legal_representative == "张三"


def test_list_shows_residing_unless_asked(api_as, grid_worker, person, gulou_grid, id_number):
    gone = actions.create_person(actor=None, grid=gulou_grid, name="已迁走", id_number=id_number())
    actions.move_out(gone, actor=None, on=dt.date.today(), destination="上海市")
    client = api_as(grid_worker)

    def ids(params):
        response = client.get(URL, {"limit": 1000, **params})
        assert response.status_code == 200
        return {r["id"] for r in response.json()["results"]}

    assert person.pk in ids({}) and gone.pk not in ids({})
    assert gone.pk in ids({"status": "moved_out"}) and person.pk not in ids(
        {"status": "moved_out"})
    assert {person.pk, gone.pk} <= ids({"status": "all"})
    assert client.get(URL, {"status": "nope"}).status_code == 400
    # The detail of a moved-out person stays readable.
    assert client.get(f"{URL}{gone.pk}/").json()["status"] == "moved_out"


def test_list_query_count_does_not_grow_with_status(api_as, data_officer):
    client = api_as(data_officer)
    client.get(URL, {"limit": 5, "status": "all"})
    with CaptureQueriesContext(connection) as small:
        client.get(URL, {"limit": 5, "status": "all"})
    with CaptureQueriesContext(connection) as large:
        client.get(URL, {"limit": 50, "status": "all"})
    assert len(large) == len(small)
