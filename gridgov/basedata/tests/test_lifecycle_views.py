"""The desktop pages that change a record (issue 13): 修改信息, 变更手机号, 迁入, 迁出,
登记死亡, 户籍/家庭关系, a house's use, an organisation; the "已被他人修改" answer."""

import datetime as dt

import pytest
from django.urls import reverse

from gridgov.basedata import actions
from gridgov.basedata.models import House, Organisation, Person

pytestmark = pytest.mark.django_db
TODAY = dt.date.today().isoformat()


def url(name, obj):
    return reverse(f"basedata:{name}", args=[obj.pk])


def test_person_page_offers_the_changes_to_whom_may_make_them(client_as, grid_worker,
                                                             leader, person):
    html = client_as(grid_worker).get(url("person", person)).content.decode()
    for name in ("person-edit", "person-phone", "person-household", "person-move-out",
                 "person-death"):
        assert url(name, person) in html, name
    assert "在住" in html
    # Read-only roles: no buttons, and the pages answer 404.
    reader = client_as(leader)
    page = reader.get(url("person", person))
    if page.status_code == 200:
        assert url("person-edit", person) not in page.content.decode()
    assert reader.get(url("person-edit", person)).status_code == 404


def test_edit_saves_and_a_stale_version_says_changed_by_someone_else(client_as, grid_worker,
                                                                     person):
    client = client_as(grid_worker)
    page = client.get(url("person-edit", person)).content.decode()
    assert 'name="expected_version" value="1"' in page and 'data-validate="id_number"' in page
    assert "basedata/js/validators.js" in page
    form = {"name": "测试甲改", "registration_type": "registered", "address": "新址路1号",
            "id_number": "", "expected_version": "1"}
    response = client.post(url("person-edit", person), form)
    assert response.status_code == 302 and response["Location"] == url("person", person)
    person.refresh_from_db()
    assert (person.name, person.address, person.version) == ("测试甲改", "新址路1号", 2)

    # Somebody else saves meanwhile; the form drawn at version 1 comes back with the news.
    stale = client.post(url("person-edit", person), {**form, "address": "旧页面路2号"})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "已被他人修改" in html and "新址路1号" in html  # the current value shown
    assert 'value="旧页面路2号"' in html  # the worker's input kept
    assert 'name="expected_version" value="2"' in html  # ready to save over version 2
    assert Person.objects.get(pk=person.pk).address == "新址路1号"
    again = client.post(url("person-edit", person), {**form, "address": "旧页面路2号",
                                                     "expected_version": "2"})
    assert again.status_code == 302
    assert Person.objects.get(pk=person.pk).address == "旧页面路2号"


def test_bad_input_is_shown_on_its_field(client_as, grid_worker, person):
    client = client_as(grid_worker)
    response = client.post(url("person-edit", person), {
        "name": "甲", "registration_type": "registered", "id_number": "110101199003074470",
        "expected_version": "1"})
    assert response.status_code == 400
    assert "身份证号校验位错误:末位应为 7(GB 11643)。" in response.content.decode()
    response = client.post(url("person-phone", person), {"phone": "12", "expected_version": 1})
    assert response.status_code == 400
    assert "手机号应为以1开头的11位号码。" in response.content.decode()
    response = client.post(url("person-move-out", person), {
        "on": "2099-01-01", "destination": "上海市", "expected_version": 1})
    assert response.status_code == 400 and "日期不能晚于今天。" in response.content.decode()


def test_phone_move_out_and_death_pages(client_as, grid_worker, person, gulou_grid, id_number):
    client = client_as(grid_worker)
    assert client.post(url("person-phone", person), {"phone": "13700002222",
                                                     "expected_version": 1}).status_code == 302
    assert Person.objects.get(pk=person.pk).phone_masked == "137****2222"
    # The date input starts at today, written as ISO (a date input ignores other formats).
    page = client.get(url("person-move-out", person)).content.decode()
    assert f'type="date" name="on" value="{TODAY}"' in page
    response = client.post(url("person-move-out", person), {
        "on": TODAY, "destination": "宁波市江北区", "reason": "购房", "expected_version": 2})
    assert response.status_code == 302
    html = client.get(url("person", person)).content.decode()
    assert "已迁出" in html and "宁波市江北区" in html
    assert url("person-move-out", person) not in html  # no second move-out offered
    assert "该人员已迁出。" in client.get(url("person-move-out", person)).content.decode()

    other = actions.create_person(actor=None, grid=gulou_grid, name="逝者", id_number=id_number())
    assert client.post(url("person-death", other), {"on": TODAY, "note": "病故",
                                                    "expected_version": 1}).status_code == 302
    other.refresh_from_db()
    assert other.status == "deceased" and other.status_note == "病故"
    page = client.get(url("person-move-in", other)).content.decode()
    assert "已死亡人员不能办理迁入。" in page
    assert client.post(url("person-move-in", other), {"on": TODAY}).status_code == 400


def test_move_in_and_household_pages(client_as, grid_worker, person, gulou_grid, id_number):
    client = client_as(grid_worker)
    house = actions.create_house(actor=None, grid=gulou_grid, address="页面路3号", room="301")
    page = client.get(url("person-move-in", person)).content.decode()
    assert f'value="{house.pk}"' in page
    response = client.post(url("person-move-in", person), {
        "house": house.pk, "on": TODAY, "expected_version": 1})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.house_id == house.pk and person.household_head_id == person.pk

    member = actions.create_person(actor=None, grid=gulou_grid, house=house, name="成员",
                                   id_number=id_number())
    page = client.get(url("person-household", member)).content.decode()
    assert f'value="{person.pk}"' in page  # the head offered
    response = client.post(url("person-household", member), {
        "household_head": person.pk, "relation_to_head": "", "expected_version": 1})
    assert response.status_code == 400  # the relation is required
    assert "必填" in response.content.decode()
    response = client.post(url("person-household", member), {
        "household_head": person.pk, "relation_to_head": "child", "expected_version": 1})
    assert response.status_code == 302
    assert Person.objects.get(pk=member.pk).household_head_id == person.pk
    html = client.get(url("house", house)).content.decode()
    section = html[html.index('id="gg-bd-residents"'):]
    assert "成员" in section and "在住" in section


def test_house_and_organisation_pages(client_as, grid_worker, gulou_grid, uscc_code):
    client = client_as(grid_worker)
    house = actions.create_house(actor=None, grid=gulou_grid, address="页面路4号")
    assert url("house-edit", house) in client.get(url("house", house)).content.decode()
    response = client.post(url("house-edit", house), {
        "use": "commercial", "rental_status": "rented", "owner_name": "王五",
        "area_m2": "", "expected_version": 1})
    assert response.status_code == 302
    house = House.objects.get(pk=house.pk)
    assert (house.use, house.rental_status, house.owner_name) == ("commercial", "rented", "王五")
    stale = client.post(url("house-edit", house), {
        "use": "office", "rental_status": "self", "expected_version": 1})
    assert stale.status_code == 409 and "已被他人修改" in stale.content.decode()

    org = actions.create_organisation(actor=None, grid=gulou_grid, name="页面公司",
                                      uscc=uscc_code())
    page = client.get(url("organisation-edit", org)).content.decode()
    assert 'data-validate="uscc"' in page
    response = client.post(url("organisation-edit", org), {
        "name": "页面公司(改)", "uscc": org.uscc, "org_type": "enterprise",
        "expected_version": 1})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).name == "页面公司(改)"


def test_out_of_scope_pages_are_404(client_as, grid_worker, person2):
    client = client_as(grid_worker)
    for name in ("person-edit", "person-phone", "person-move-in", "person-move-out",
                 "person-death", "person-household"):
        assert client.get(url(name, person2)).status_code == 404, name


def test_people_list_filters_by_status(client_as, grid_worker, person, gulou_grid, id_number):
    gone = actions.create_person(actor=None, grid=gulou_grid, name="迁走的人",
                                 id_number=id_number())
    actions.move_out(gone, actor=None, on=dt.date.today(), destination="上海市")
    client = client_as(grid_worker)
    html = client.get(reverse("basedata:people"), {"q": "迁走的人"}).content.decode()
    assert url("person", gone) not in html
    html = client.get(reverse("basedata:people"), {"q": "迁走的人", "status": "all"}
                      ).content.decode()
    assert url("person", gone) in html and "已迁出" in html
    assert '<option value="all"' in html
