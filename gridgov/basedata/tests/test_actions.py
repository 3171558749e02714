import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions
from gridgov.basedata.models import ChangeRecord, Component, Person, Tag
from gridgov.core import personal_data


def test_create_person_derives_encrypts_and_stamps(grid_worker, gulou_grid, id_number):
    number = id_number(birth=dt.date(1948, 2, 29), female=True)
    p = actions.create_person(actor=grid_worker, grid=gulou_grid, name="王阿婆",
                              id_number=number, phone="13912340000", tags=["独居老人"])
    assert p.birth_date == dt.date(1948, 2, 29) and p.sex == "F"
    assert p.id_masked == number[:6] + "********" + number[-4:]
    assert p.phone_masked == "139****0000"
    assert p.id_number() == number and p.phone() == "13912340000"
    assert p.area_code == gulou_grid.code
    assert p.provenance["id_number"]["by"] == grid_worker.real_name
    assert p.provenance["phone"]["source"] == "grid_worker"
    assert "id_number_enc" not in p.provenance and "id_hash" not in p.provenance
    assert [t.name for t in p.tags.all()] == ["独居老人"]
    assert AuditRecord.objects.filter(action="basedata.person.create",
                                      object_id=str(p.pk)).exists()
    assert ChangeRecord.objects.filter(object_type="person", object_id=p.pk).count() == 1


def test_one_person_per_id_number(grid_worker, gulou_grid, person):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(actor=grid_worker, grid=gulou_grid, name="又一个",
                              id_number=person.id_number().lower())
    assert exc.value.error_dict["id_number"][0].code == "duplicate"


def test_bad_input_names_every_field(grid_worker, gulou_grid):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(actor=grid_worker, grid=gulou_grid, name="错",
                              id_number="330203198001011230", phone="123")
    assert set(exc.value.message_dict) == {"id_number", "phone"}


def test_grid_worker_cannot_write_another_grid(grid_worker, gulou_grid2, id_number, person2):
    with pytest.raises(PermissionDenied):
        actions.create_person(actor=grid_worker, grid=gulou_grid2, name="越界",
                              id_number=id_number())
    with pytest.raises(PermissionDenied):
        actions.update_person(person2, actor=grid_worker, name="改名")
    # Leaders read but do not collect.


def test_leader_cannot_collect(leader, gulou_grid, id_number):
    with pytest.raises(PermissionDenied):
        actions.create_person(actor=leader, grid=gulou_grid, name="甲", id_number=id_number())


def test_update_keeps_a_diff_with_author_and_provenance(grid_worker, data_officer, person):
    actions.update_person(person, actor=grid_worker, phone="13700001111", address="新地址")
    person.refresh_from_db()
    change = ChangeRecord.objects.filter(object_type="person", object_id=person.pk).first()
    assert change.action == "person.update"
    assert change.changes["phone_masked"] == ["139****5678", "137****1111"]
    assert change.changes["address"] == ["测试路1号", "新地址"]
    assert change.actor_name == grid_worker.real_name and change.source == "grid_worker"
    actions.update_person(person, actor=data_officer, source="department", name="测试甲改")
    person.refresh_from_db()
    assert person.provenance["name"]["department"] == "区民政局"
    assert person.provenance["name"]["source"] == "department"
    assert person.provenance["phone"]["by"] == grid_worker.real_name
    # Nothing changed: no record.
    n = ChangeRecord.objects.count()
    actions.update_person(person, actor=grid_worker, phone="13700001111")
    assert ChangeRecord.objects.count() == n


def test_reveal_needs_role_reason_and_is_audited(grid_worker, grid_worker2, leader, person):
    with pytest.raises(ValidationError):
        personal_data.reveal(person, "id_number", actor=grid_worker, reason="")
    value = personal_data.reveal(person, "id_number", actor=grid_worker, reason="上门核实身份")
    assert value == person.id_number()
    rec = AuditRecord.objects.filter(action="basedata.person.reveal").latest("pk")
    assert rec.remark == "上门核实身份" and rec.actor_id == grid_worker.pk
    assert value not in repr(rec.changes)
    with pytest.raises(PermissionDenied):
        personal_data.reveal(person, "phone", actor=leader, reason="想看")
    with pytest.raises(PermissionDenied):
        personal_data.reveal(person, "phone", actor=grid_worker2, reason="不是我的网格")
    # Only the declared personal fields; the system does not reveal (a person decides).
    with pytest.raises(ValidationError) as exc:
        personal_data.reveal(person, "address", actor=grid_worker, reason="上门核实身份")
    assert exc.value.message_dict == {"field": ["只能查看身份证号或手机号。"]}
    with pytest.raises(PermissionDenied):
        personal_data.reveal(person, "phone", actor=None, reason="系统查看")


def test_special_tags_hidden_from_grid_worker(grid_worker, grid_chief, person):
    actions.set_tags(person, ["社区矫正对象", "低保户"], actor=None)
    with pytest.raises(ValidationError):
        actions.set_tags(person, ["刑满释放人员"], actor=grid_worker)
    # The grid worker edits what they see; the special tag stays.
    actions.set_tags(person, ["独居老人"], actor=grid_worker)
    names = set(person.tags.values_list("name", flat=True))
    assert names == {"社区矫正对象", "独居老人"}
    change = ChangeRecord.objects.filter(object_type="person", object_id=person.pk,
                                         action="person.tags").first()
    assert "社区矫正对象" not in repr(change.changes)
    actions.set_tags(person, ["独居老人"], actor=grid_chief)
    assert set(person.tags.values_list("name", flat=True)) == {"独居老人"}


def test_add_family_is_all_or_nothing(grid_worker, gulou_grid, id_number):
    before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        actions.add_family(actor=grid_worker, grid=gulou_grid,
                           house_data={"address": "家庭路8号", "room": "101"},
                           head={"name": "户主", "id_number": id_number()},
                           members=[{"name": "配偶", "id_number": "330203198001011230",
                                     "relation_to_head": "spouse"}])
    assert "members.0.id_number" in exc.value.message_dict
    assert Person.objects.count() == before
    people = actions.add_family(
        actor=grid_worker, grid=gulou_grid, house_data={"address": "家庭路8号", "room": "101"},
        head={"name": "户主", "id_number": id_number(), "tags": ["退役军人"]},
        members=[{"name": "配偶", "id_number": id_number(female=True),
                  "relation_to_head": "spouse"},
                 {"name": "孩子", "birth_date": "2015-06-01", "relation_to_head": "child"}])
    head = people[0]
    assert head.household_head_id == head.pk and head.relation_to_head == "head"
    assert {p.household_head_id for p in people} == {head.pk}
    assert {p.house_id for p in people} == {head.house_id}


def test_merge_candidates_and_merge(data_officer, grid_worker, gulou_grid, id_number):
    birth = dt.date(1960, 1, 1)
    number = id_number(birth=birth)
    a = actions.create_person(actor=grid_worker, grid=gulou_grid, name="重复人",
                              birth_date=birth, address="合并路1号", phone="13600000001")
    b = actions.create_person(actor=grid_worker, grid=gulou_grid, name="重复人",
                              id_number=number, address="合并路1号")
    groups = actions.merge_candidates(Person.objects.restrict(data_officer, "change"))
    group = next(g for g in groups if g["name"] == "重复人")
    assert {p.pk for p in group["people"]} == {a.pk, b.pk}
    with pytest.raises(PermissionDenied):
        actions.merge_people(a, [b], actor=grid_worker)
    primary = actions.merge_people(a, [b], actor=data_officer, reason="同一人")
    b.refresh_from_db()
    assert b.merged_into_id == a.pk and b.id_hash is None
    assert primary.id_number() == number and primary.phone() == "13600000001"
    assert Person.objects.by_id_number(number).get() == primary
    assert primary.provenance["id_number"]["department"] == "区民政局"
    assert AuditRecord.objects.filter(action="basedata.person.merge",
                                      object_id=str(a.pk), remark="同一人").exists()
    assert not any(g["name"] == "重复人" for g in actions.merge_candidates(Person.objects.all()))


def test_components_get_class_codes_and_states(grid_worker, gulou_grid):
    lng, lat = gulou_grid.centroid_lng, gulou_grid.centroid_lat
    from gridgov.areas.index import lookup_point

    if lookup_point(lng, lat).pk != gulou_grid.pk:
        pytest.skip("centroid outside its grid")
    c1 = actions.create_component(actor=grid_worker, major="01", minor="07", lng=lng, lat=lat)
    c2 = actions.create_component(actor=grid_worker, major="01", minor="07", lng=lng, lat=lat)
    assert c1.code[:10] == "3302030107" and len(c1.code) == 16
    assert int(c2.code[-6:]) == int(c1.code[-6:]) + 1
    assert c1.grid_id == gulou_grid.pk and c1.class_name.endswith("消防栓")
    actions.set_component_state(c1, "damaged", actor=grid_worker, remark="井盖破损")
    assert Component.objects.get(pk=c1.pk).state == "damaged"
    with pytest.raises(ValidationError):
        actions.set_component_state(c1, "bogus", actor=grid_worker)
    with pytest.raises(ValidationError) as exc:
        actions.create_component(actor=grid_worker, major="01", minor="07", lng=100, lat=30)
    assert "location" in exc.value.message_dict


def test_organisation_once_per_credit_code(grid_worker, gulou_grid, uscc_code):
    code = uscc_code()
    org = actions.create_organisation(actor=grid_worker, grid=gulou_grid, name="测试公司",
                                      uscc=code.lower(), legal_representative="法人")
    assert org.uscc == code
    with pytest.raises(ValidationError):
        actions.create_organisation(actor=grid_worker, grid=gulou_grid, name="另一个",
                                    uscc=code)
    with pytest.raises(ValidationError) as exc:
        actions.create_organisation(actor=grid_worker, grid=gulou_grid, name="坏码",
                                    uscc=code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert "校验位" in exc.value.message_dict["uscc"][0]


def test_house_tenants_recorded(grid_worker, gulou_grid, person):
    house = actions.create_house(actor=grid_worker, grid=gulou_grid, address="出租路2号",
                                 room="302", rental_status="出租")
    assert house.rental_status == "rented"
    actions.update_house(house, actor=grid_worker, tenants=[person.pk])
    assert list(house.tenants.all()) == [person]
    assert ChangeRecord.objects.filter(object_type="house", object_id=house.pk,
                                       action="house.update").exists()


def test_tags_seeded(db):
    assert Tag.objects.filter(kind="special").count() >= 4
    assert Tag.objects.get(name="独居老人").kind == "care"
