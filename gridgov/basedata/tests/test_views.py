import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions
from gridgov.basedata.models import ImportBatch, Person


def test_people_list_masked_and_scoped(client_as, grid_worker, person, person2):
    response = client_as(grid_worker).get(reverse("basedata:people"))
    html = response.content.decode()
    assert response.status_code == 200
    assert person.id_masked in html and "139****5678" in html
    assert person.id_number() not in html and "13912345678" not in html
    assert person2.name not in html


def test_person_detail_scope_and_reveal(client_as, grid_worker, person, person2):
    client = client_as(grid_worker)
    assert client.get(reverse("basedata:person", args=[person2.pk])).status_code == 404
    page = client.get(reverse("basedata:person", args=[person.pk])).content.decode()
    assert person.id_number() not in page and person.id_masked in page
    assert "查看完整信息" in page
    response = client.post(reverse("basedata:person-reveal", args=[person.pk]),
                           {"field": "phone", "reason": "联系家属"})
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert AuditRecord.objects.filter(action="basedata.person.reveal", remark="联系家属",
                                      actor_id=grid_worker.pk).exists()
    assert client.post(reverse("basedata:person-reveal", args=[person2.pk]),
                       {"field": "phone", "reason": "越界"}).status_code == 404


def test_special_tags_on_pages(client_as, grid_worker, leader, person):
    actions.set_tags(person, ["刑满释放人员", "独居老人"], actor=None)
    url = reverse("basedata:person", args=[person.pk])
    assert "刑满释放人员" not in client_as(grid_worker).get(url).content.decode()
    assert "刑满释放人员" in client_as(leader).get(url).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_is_masked_filtered_and_audited(client_as, grid_worker, person, person2, fmt):
    actions.set_tags(person, ["社区矫正对象", "独居老人"], actor=None)
    response = client_as(grid_worker).get(
        reverse("basedata:export", args=["people", fmt]), {"q": "测试"})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = [[str(c) if c is not None else "" for c in r]
                for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["姓名", "身份证号"]
    body = repr(rows)
    assert person.name in body and person2.name not in body
    assert person.id_masked in body and person.id_number() not in body
    assert "13912345678" not in body and "139****5678" in body
    assert "独居老人" in body and "社区矫正对象" not in body
    rec = AuditRecord.objects.filter(action="basedata.export.people").latest("pk")
    assert rec.changes["rows"] == 1 and rec.changes["filters"] == {"q": "测试"}


@pytest.mark.parametrize("kind", ["houses", "organisations", "components"])
def test_object_pages(client_as, leader, kind):
    client = client_as(leader)
    response = client.get(reverse(f"basedata:{kind}"))
    assert response.status_code == 200
    obj = response.context["object_list"][0]
    detail = client.get(reverse(f"basedata:{kind[:-1] if kind != 'houses' else 'house'}",
                                args=[obj.pk]))
    assert detail.status_code == 200
    assert "gg-bd-map" in detail.content.decode() or obj.lng is None
    assert client.get(reverse("basedata:export", args=[kind, "csv"])).status_code == 200


def test_people_list_query_count(client_as, data_officer, django_assert_max_num_queries):
    client = client_as(data_officer)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("basedata:people"))
    assert len(response.context["rows"]) == 50


def test_add_family_form(client_as, grid_worker, gulou_grid, id_number):
    client = client_as(grid_worker)
    assert client.get(reverse("basedata:family-add")).status_code == 200
    data = {
        "grid": gulou_grid.code, "address": "表单路3号", "unit": "", "room": "201",
        "use": "residential", "rental_status": "self", "owner_name": "",
        "head-name": "张户主", "head-id_number": id_number(), "head-registration_type":
        "registered", "head-phone": "13900001234", "head-tags": ["独居老人"],
        "m-TOTAL_FORMS": "2", "m-INITIAL_FORMS": "0", "m-MIN_NUM_FORMS": "0",
        "m-MAX_NUM_FORMS": "12",
        "m-0-name": "李配偶", "m-0-id_number": id_number(female=True),
        "m-0-registration_type": "registered", "m-0-relation_to_head": "spouse",
        "m-1-name": "", "m-1-registration_type": "registered", "m-1-relation_to_head": "child",
    }
    response = client.post(reverse("basedata:family-add"), data)
    assert response.status_code == 302, response.context["members"].errors
    head = Person.objects.get(name="张户主")
    assert head.members.filter(name="李配偶", relation_to_head="spouse").exists()
    # A bad member keeps everything out and shows the reason next to the field.
    data.update({"room": "202", "head-id_number": id_number(),
                 "m-0-id_number": "330203198001011230"})
    response = client.post(reverse("basedata:family-add"), data)
    assert response.status_code == 400
    assert "校验位" in response.content.decode()
    assert not Person.objects.filter(house__address="表单路3号", house__room="202").exists()


def test_family_form_not_for_leader(client_as, leader):
    assert client_as(leader).get(reverse("basedata:family-add")).status_code == 403


def test_import_pages(client_as, grid_worker, grid_worker2, gulou_grid, id_number):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as(grid_worker)
    assert client.get(reverse("basedata:import")).status_code == 200
    content = ("姓名,身份证号,网格编码\n"
               f"好人,{id_number()},{gulou_grid.code}\n坏人,123,{gulou_grid.code}\n")
    upload = SimpleUploadedFile("p.csv", content.encode("utf-8"), content_type="text/csv")
    response = client.post(reverse("basedata:import"), {"kind": "people", "file": upload})
    # The upload is imported by a background job (inline in tests): the page follows the
    # job, then goes to the import's result page.
    assert response.status_code == 302 and "?job=" in response.url
    batch = ImportBatch.objects.latest("pk")
    followed = client.get(response.url)
    assert followed.status_code == 302
    assert followed.url == reverse("basedata:import-result", args=[batch.pk])
    page = client.get(followed.url).content.decode()
    assert "拒绝" in page
    report = client.get(reverse("basedata:import-report", args=[batch.pk]))
    assert "身份证号应为18位" in report.content.decode("utf-8-sig")
    # Another user cannot read the report.
    assert client_as(grid_worker2).get(
        reverse("basedata:import-report", args=[batch.pk])).status_code == 404
    assert client.get(reverse("basedata:import-template", args=["people"])).status_code == 200


def test_merge_page(client_as, data_officer, grid_worker, gulou_grid, id_number):
    import datetime as dt

    a = actions.create_person(actor=None, grid=gulou_grid, name="页面重复",
                              birth_date=dt.date(1955, 5, 5), address="同址")
    b = actions.create_person(actor=None, grid=gulou_grid, name="页面重复",
                              birth_date=dt.date(1955, 5, 5), address="同址")
    client = client_as(data_officer)
    assert "页面重复" in client.get(reverse("basedata:merge")).content.decode()
    assert client_as(grid_worker).get(reverse("basedata:merge")).status_code == 404
    response = client.post(reverse("basedata:merge"), {"primary": a.pk, "duplicates": [b.pk],
                                                       "reason": "核实为同一人"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk


def test_building_pages_are_scoped(client_as, grid_worker, building, building2):
    client = client_as(grid_worker)
    listing = client.get(reverse("basedata:buildings"))
    assert listing.status_code == 200
    names = {b.pk for b in listing.context["object_list"]}
    assert building.pk in names and building2.pk not in names
    assert client.get(reverse("basedata:building", args=[building2.pk])).status_code == 404
    missing = client.get(reverse("basedata:building", args=[building2.pk + 10_000]))
    assert missing.status_code == 404


def test_building_detail_lists_houses_and_map(client_as, grid_worker, building):
    client = client_as(grid_worker)
    response = client.get(reverse("basedata:building", args=[building.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "gg-bd-map" in html  # the building has a point
    houses = list(response.context["houses"])
    assert len(houses) == 2
    for house in houses:
        assert reverse("basedata:house", args=[house.pk]) in html


def test_building_without_point_has_no_map(client_as, grid_chief, building2):
    response = client_as(grid_chief).get(reverse("basedata:building", args=[building2.pk]))
    assert response.status_code == 200
    assert "gg-bd-map" not in response.content.decode()
    assert list(response.context["houses"]) == []


def test_house_detail_links_its_building(client_as, grid_worker, building):
    house = building.houses.first()
    html = client_as(grid_worker).get(reverse("basedata:house", args=[house.pk])).content \
        .decode()
    assert f'href="{reverse("basedata:building", args=[building.pk])}"' in html


def test_building_list_filters(client_as, grid_chief, building, building2):
    client = client_as(grid_chief)

    def listed(**params):
        response = client.get(reverse("basedata:buildings"), params)
        assert response.status_code == 200
        return {b.pk for b in response.context["object_list"]} & {building.pk, building2.pk}

    assert listed() == {building.pk, building2.pk}
    assert listed(q="1幢") == {building.pk}
    assert listed(q="测试楼路9") == {building2.pk}
    assert listed(area=building2.area_code) == {building2.pk}
    assert listed(floors_min=10) == {building2.pk}
    assert listed(floors_max=10) == {building.pk}


def test_building_export_is_scoped(client_as, grid_worker, building, building2):
    response = client_as(grid_worker).get(reverse("basedata:export", args=["buildings", "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["楼栋", "标准地址"]
    assert ["1幢", "测试楼路8号"] in [r[:2] for r in rows]
    assert "测试楼路9号" not in repr(rows)


def test_building_pages_need_login(client, building):
    for url in (reverse("basedata:buildings"), reverse("basedata:building", args=[building.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
