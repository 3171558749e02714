"""采集 on the phone (/m/collect/): scope, masking, search, query counts, and the forms'
fields against the basic-data API they post to."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridgov.basedata import actions
from gridgov.basedata.choices import PersonStatus
from gridgov.basedata.models import House, Organisation, Person
from gridgov.demo.basedata import make_uscc

from .collect_support import as_post, make_house, make_person, new_id_number, outbox_form, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def house(gulou_grid):
    return make_house(gulou_grid)


@pytest.fixture
def resident(gulou_grid, house):
    """A household head living in ``house`` (gw_gulou's grid)."""
    person = make_person(gulou_grid, "采集甲", house=house, relation_to_head="head")
    return actions.set_household(person, None, actor=None)


@pytest.fixture
def outsider(gulou_grid2):
    """A person of gw_gulou2's grid: outside gw_gulou's scope."""
    return make_person(gulou_grid2, "外网格乙", phone="13700001111")


def plain_id(person):
    return person.id_number()


# --- sign-in and scope ------------------------------------------------------------------


def test_anonymous_goes_to_the_terminal_sign_in(client):
    response = client.get("/m/collect/")
    assert response.status_code == 302
    assert response["Location"].startswith("/m/login/")


def test_a_role_without_the_terminal_is_refused(client_as, dispatcher):
    assert client_as(dispatcher).get("/m/collect/").status_code == 403


def test_another_grids_records_answer_404(client_as, grid_worker, outsider, gulou_grid2):
    other_house = make_house(gulou_grid2, "外网格路2号")
    org = actions.create_organisation(actor=None, grid=gulou_grid2, name="外网格商店",
                                      uscc=make_uscc(4242))
    client = client_as(grid_worker)
    pk = outsider.pk
    for url in (f"/m/collect/people/{pk}/", f"/m/collect/people/{pk}/phone/",
                f"/m/collect/people/{pk}/move-out/", f"/m/collect/people/{pk}/death/",
                f"/m/collect/people/{pk}/household/", f"/m/collect/people/{pk}/move-in/",
                f"/m/collect/houses/{other_house.pk}/", f"/m/collect/houses/{other_house.pk}/edit/",
                f"/m/collect/organisations/{org.pk}/",
                f"/m/collect/organisations/{org.pk}/edit/",
                f"/m/collect/people/new/?house={other_house.pk}"):
        assert client.get(url).status_code == 404, url


def test_the_list_shows_the_own_grid_masked(client_as, grid_worker, resident, outsider):
    client = client_as(grid_worker)
    page = client.get("/m/collect/").content.decode()
    # The grid card counts people, houses and organisations of the worker's grid.
    assert "330203005001001" in page and outsider.name not in page
    page = client.get("/m/collect/", {"q": "网格"}).content.decode()
    assert outsider.name not in page
    page = client.get("/m/collect/", {"q": "采集"}).content.decode()
    assert resident.name in page
    assert resident.id_masked in page and plain_id(resident) not in page
    assert "13912345678" not in page and resident.phone_masked not in page  # list: no phone
    # Rows can be pre-cached for offline use.
    assert f'data-precache="/m/collect/people/{resident.pk}/"' in page


def test_the_person_screen_is_masked(client_as, grid_worker, resident):
    page = client_as(grid_worker).get(f"/m/collect/people/{resident.pk}/").content.decode()
    assert resident.id_masked in page and resident.phone_masked in page
    assert plain_id(resident) not in page and "13912345678" not in page
    assert "在住" in page and "本人为户主" in page
    for action in ("phone", "household", "move-in", "move-out", "death"):
        assert f"/m/collect/people/{resident.pk}/{action}/" in page


def test_search_by_a_full_id_number_finds_nothing_outside_the_scope(
        client_as, grid_worker, resident, outsider):
    client = client_as(grid_worker)
    page = client.get("/m/collect/", {"q": plain_id(outsider)}).content.decode()
    assert outsider.name not in page and outsider.id_masked not in page
    assert "没有找到" in page
    page = client.get("/m/collect/", {"q": "13700001111"}).content.decode()
    assert outsider.name not in page
    # The own grid's person is found by the full number (its keyed hash), and by name.
    assert resident.name in client.get("/m/collect/", {"q": plain_id(resident)}).content.decode()
    assert resident.name in client.get("/m/collect/", {"q": "采集"}).content.decode()
    # A partial number matches nothing: no search over personal values.
    partial = plain_id(resident)[:10]
    assert resident.name not in client.get("/m/collect/", {"q": partial}).content.decode()


def test_lists_show_residing_people_by_default(client_as, grid_worker, gulou_grid, resident):
    gone = make_person(gulou_grid, "采集已迁出丙")
    actions.move_out(gone, actor=None, on="2026-01-02", destination="杭州")
    client = client_as(grid_worker)
    row = 'm-row-title">采集已迁出丙'
    assert row not in client.get("/m/collect/", {"q": "采集"}).content.decode()
    page = client.get("/m/collect/", {"status": "moved_out", "q": "采集"}).content.decode()
    assert row in page and resident.name not in page
    page = client.get("/m/collect/", {"status": "all", "q": "采集"}).content.decode()
    assert row in page


def test_houses_and_organisations_segments(client_as, grid_worker, gulou_grid, house):
    org = actions.create_organisation(actor=None, grid=gulou_grid, name="采集小店",
                                      uscc=make_uscc(4243))
    client = client_as(grid_worker)
    houses = client.get("/m/collect/", {"kind": "houses", "q": "采集路"}).content.decode()
    assert f"/m/collect/houses/{house.pk}/" in houses
    orgs = client.get("/m/collect/", {"kind": "organisations", "q": "采集"}).content.decode()
    assert f"/m/collect/organisations/{org.pk}/" in orgs and org.uscc in orgs


def test_the_list_is_paginated_by_20(client_as, grid_worker, gulou_grid):
    for n in range(23):
        make_person(gulou_grid, f"分页{n:02d}", phone="")
    client = client_as(grid_worker)
    page = client.get("/m/collect/", {"q": "分页"}).content.decode()
    assert len(re.findall(r'class="m-row-title">分页', page)) == 20
    assert "page=2" in page
    page2 = client.get("/m/collect/", {"q": "分页", "page": 2}).content.decode()
    assert len(re.findall(r'class="m-row-title">分页', page2)) == 3


# --- query counts ------------------------------------------------------------------------


def _queries(client, url):
    client.get(url)  # warm the session and the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries(client_as, grid_worker, gulou_grid, house):
    client = client_as(grid_worker)
    make_person(gulou_grid, "计数0", house=house)
    few = _queries(client, "/m/collect/")
    for n in range(1, 8):
        make_person(gulou_grid, f"计数{n}", house=house)
    assert _queries(client, "/m/collect/") == few
    assert few <= 16


def test_the_person_and_house_screens_run_a_fixed_number_of_queries(
        client_as, grid_worker, gulou_grid, house, resident):
    client = client_as(grid_worker)
    person_q = _queries(client, f"/m/collect/people/{resident.pk}/")
    house_q = _queries(client, f"/m/collect/houses/{house.pk}/")
    for n in range(5):
        actions.create_person(actor=None, grid=gulou_grid, name=f"成员{n}", house=house,
                              id_number=new_id_number(), household_head=resident,
                              relation_to_head="child")
    assert _queries(client, f"/m/collect/people/{resident.pk}/") == person_q
    assert _queries(client, f"/m/collect/houses/{house.pk}/") == house_q
    assert person_q <= 18 and house_q <= 14


# --- the forms post what the API takes ------------------------------------------------------


def _submit(client, url, **typed):
    page = client.get(url)
    assert page.status_code == 200, url
    attrs, fields, inputs = outbox_form(page.content.decode())
    assert attrs["action"].startswith("/api/v1/basedata/")
    for name in typed:
        assert name in inputs, f"{url} has no field {name}"
    response = send(client, attrs, as_post(fields, **typed), str(uuid.uuid4()))
    return attrs, inputs, response


def test_phone_form(client_as, grid_worker, resident):
    client = client_as(grid_worker)
    _attrs, inputs, response = _submit(client, f"/m/collect/people/{resident.pk}/phone/",
                                       phone="13800001234")
    assert response.status_code == 200, response.content
    assert inputs["phone"][0]["data-validate"] == "mobile"
    resident.refresh_from_db()
    assert resident.phone_masked == "138****1234"


def test_move_out_form(client_as, grid_worker, resident):
    client = client_as(grid_worker)
    attrs, _inputs, response = _submit(
        client, f"/m/collect/people/{resident.pk}/move-out/", destination="宁波市鄞州区")
    assert response.status_code == 200, response.content
    assert attrs["data-outbox"] and attrs["data-done-url"] == f"/m/collect/people/{resident.pk}/"
    resident.refresh_from_db()
    assert resident.status == PersonStatus.MOVED_OUT and resident.moved_out_to == "宁波市鄞州区"
    # Gone: the screen no longer offers a second move-out.
    page = client.get(f"/m/collect/people/{resident.pk}/").content.decode()
    assert "已迁出" in page and f"/people/{resident.pk}/move-out/" not in page


def test_move_out_of_a_head_hands_the_household_over(client_as, grid_worker, gulou_grid,
                                                     house, resident):
    child = actions.create_person(actor=None, grid=gulou_grid, name="采集子", house=house,
                                  id_number=new_id_number(), household_head=resident,
                                  relation_to_head="child")
    client = client_as(grid_worker)
    _attrs, inputs, response = _submit(
        client, f"/m/collect/people/{resident.pk}/move-out/", destination="上海",
        new_head=str(child.pk))
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert child.household_head_id == child.pk and child.relation_to_head == "head"


def test_death_form(client_as, grid_worker, resident):
    client = client_as(grid_worker)
    _attrs, _inputs, response = _submit(client, f"/m/collect/people/{resident.pk}/death/",
                                        note="死亡证明 123")
    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.status == PersonStatus.DECEASED
    # No more changes of a deceased person.
    assert client.get(f"/m/collect/people/{resident.pk}/phone/").status_code == 404


def test_household_form(client_as, grid_worker, gulou_grid, house, resident):
    lodger = make_person(gulou_grid, "采集丁", house=house, phone="")
    client = client_as(grid_worker)
    page = client.get(f"/m/collect/people/{lodger.pk}/household/").content.decode()
    assert resident.name in page
    _attrs, _inputs, response = _submit(
        client, f"/m/collect/people/{lodger.pk}/household/", household_head=str(resident.pk),
        relation_to_head="spouse")
    assert response.status_code == 200, response.content
    lodger.refresh_from_db()
    assert lodger.household_head_id == resident.pk and lodger.relation_to_head == "spouse"


def test_move_in_form_picks_the_house_by_search(client_as, grid_worker, gulou_grid, resident):
    other = make_house(gulou_grid, "迁入路9号", "302")
    client = client_as(grid_worker)
    url = f"/m/collect/people/{resident.pk}/move-in/"
    search = client.get(url, {"q": "迁入路"}).content.decode()
    assert f"?house={other.pk}" in search
    assert not re.search(r"<form[^>]*data-outbox", search)  # first the house
    _attrs, _inputs, response = _submit(client, f"{url}?house={other.pk}")
    assert response.status_code == 200, response.content
    resident.refresh_from_db()
    assert resident.house_id == other.pk and resident.status == PersonStatus.RESIDING


def test_new_resident_form_in_a_house(client_as, grid_worker, house, resident):
    client = client_as(grid_worker)
    number = new_id_number()
    attrs, inputs, response = _submit(
        client, f"/m/collect/people/new/?house={house.pk}", name="新居民戊",
        id_number=number, phone="13600001111", household_head=str(resident.pk),
        relation_to_head="child", tags=["独居老人"])
    assert response.status_code == 201, response.content
    assert inputs["id_number"][0]["data-validate"] == "id_number"
    assert attrs["data-done-url"] == f"/m/collect/houses/{house.pk}/"
    person = Person.objects.get(name="新居民戊")
    assert person.house_id == house.pk and person.household_head_id == resident.pk
    assert person.id_masked and person.sex and person.birth_date
    assert [t.name for t in person.tags.all()] == ["独居老人"]


def test_new_resident_form_without_a_house(client_as, grid_worker):
    client = client_as(grid_worker)
    _attrs, _inputs, response = _submit(client, "/m/collect/people/new/", name="新居民己",
                                        id_number=new_id_number(), address="采集路3号")
    assert response.status_code == 201, response.content
    assert Person.objects.get(name="新居民己").area_code == "330203005001001"


def test_new_resident_with_a_bad_id_number_is_refused_by_the_server(client_as, grid_worker):
    client = client_as(grid_worker)
    bad = new_id_number()[:17] + ("0" if new_id_number()[-1] != "0" else "1")
    _attrs, _inputs, response = _submit(client, "/m/collect/people/new/", name="坏号",
                                        id_number=bad[:16] + "99")
    assert response.status_code == 400
    assert "id_number" in response.json()["errors"] or "id_number" in str(response.json())
    assert not Person.objects.filter(name="坏号").exists()


def test_house_edit_form(client_as, grid_worker, house):
    client = client_as(grid_worker)
    attrs, _inputs, response = _submit(client, f"/m/collect/houses/{house.pk}/edit/",
                                       use="commercial", rental_status="rented")
    assert attrs["data-method"] == "PATCH"
    assert response.status_code == 200, response.content
    house.refresh_from_db()
    assert (house.use, house.rental_status) == ("commercial", "rented")


def test_organisation_forms(client_as, grid_worker):
    client = client_as(grid_worker)
    code = make_uscc(4244)
    _attrs, inputs, response = _submit(client, "/m/collect/organisations/new/",
                                       name="采集便利店", uscc=code, org_type="individual")
    assert response.status_code == 201, response.content
    assert inputs["uscc"][0]["data-validate"] == "uscc"
    org = Organisation.objects.get(uscc=code)
    attrs, _inputs, response = _submit(client, f"/m/collect/organisations/{org.pk}/edit/",
                                       name="采集便利店(二店)", legal_representative="王某")
    assert attrs["data-method"] == "PATCH"
    assert response.status_code == 200, response.content
    org.refresh_from_db()
    assert org.name == "采集便利店(二店)" and org.legal_representative == "王某"


def test_a_form_read_before_a_change_conflicts(client_as, grid_worker, resident):
    """The version the screen rendered goes back as ``expected_version``: a change made
    meanwhile answers 409 with the current record, and nothing is overwritten."""
    client = client_as(grid_worker)
    page = client.get(f"/m/collect/people/{resident.pk}/phone/").content.decode()
    attrs, fields, _inputs = outbox_form(page)
    assert dict(fields)["expected_version"] == str(resident.version)
    actions.change_phone(resident, "13511112222", actor=None)
    response = send(client, attrs, as_post(fields, phone="13800009999"), str(uuid.uuid4()))
    assert response.status_code == 409
    assert response.json()["current"]["phone"] == "135****2222"
    resident.refresh_from_db()
    assert resident.phone_masked == "135****2222"


def test_a_resent_form_is_applied_once(client_as, grid_worker, resident):
    client = client_as(grid_worker)
    attrs, fields, _inputs = outbox_form(
        client.get(f"/m/collect/people/{resident.pk}/move-out/").content.decode())
    data, key = as_post(fields, destination="温州"), str(uuid.uuid4())
    first = send(client, attrs, data, key)
    again = send(client, attrs, data, key)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    from gridgov.basedata.models import ChangeRecord

    assert ChangeRecord.objects.filter(object_type="person", object_id=resident.pk,
                                       action="person.move_out").count() == 1


def test_house_screen_lists_residents_with_status(client_as, grid_worker, gulou_grid, house,
                                                  resident):
    gone = make_person(gulou_grid, "采集庚", house=house, phone="")
    actions.move_out(gone, actor=None, on="2026-01-02", destination="杭州")
    page = client_as(grid_worker).get(f"/m/collect/houses/{house.pk}/").content.decode()
    assert resident.name in page and "采集庚" in page and "已迁出" in page
    assert f"/m/collect/people/new/?house={house.pk}" in page
    assert f"/m/collect/houses/{house.pk}/edit/" in page


def test_all_pages_render_for_a_grid_chief(client_as, grid_chief, resident, house):
    client = client_as(grid_chief)
    for url in ("/m/collect/", "/m/collect/?kind=houses", "/m/collect/?kind=organisations",
                f"/m/collect/people/{resident.pk}/", f"/m/collect/houses/{house.pk}/",
                "/m/collect/people/new/", "/m/collect/organisations/new/"):
        assert client.get(url).status_code == 200, url
    assert House.objects.filter(pk=house.pk).exists()


def test_a_reader_sees_no_changes(client_as, grid_instructor, resident, house):
    """网格指导员 may read the community's people but not collect: no change buttons, the
    change screens answer 404 (outside the change scope) or 403 (no permission)."""
    client = client_as(grid_instructor)
    page = client.get(f"/m/collect/people/{resident.pk}/").content.decode()
    assert resident.name in page and f"/people/{resident.pk}/move-out/" not in page
    assert client.get(f"/m/collect/people/{resident.pk}/move-out/").status_code == 404
    assert client.get("/m/collect/people/new/").status_code == 403
    assert client.get(f"/m/collect/houses/{house.pk}/edit/").status_code == 403
    assert "新增居民" not in client.get("/m/collect/").content.decode()
