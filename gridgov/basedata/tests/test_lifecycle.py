"""The life of a record (issue 13): move in and out, death, phone, household, house use, the
version that guards every change, and the status signal sent on commit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions
from gridgov.basedata.choices import PersonStatus, Relation
from gridgov.basedata.models import ChangeRecord, House, Person
from gridgov.basedata.signals import person_status_changed

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


@pytest.fixture
def house(gulou_grid):
    return actions.create_house(actor=None, grid=gulou_grid, address="生命路1号", room="101")


@pytest.fixture
def family(gulou_grid, house, id_number):
    """A head and two members living in ``house``."""
    head = actions.create_person(actor=None, grid=gulou_grid, house=house, name="户主甲",
                                 id_number=id_number(), relation_to_head="head")
    head = actions.set_household(head, actor=None)
    spouse = actions.create_person(actor=None, grid=gulou_grid, house=house, name="配偶乙",
                                   id_number=id_number(female=True), household_head=head,
                                   relation_to_head="spouse")
    child = actions.create_person(actor=None, grid=gulou_grid, house=house, name="子女丙",
                                  id_number=id_number(birth=dt.date(2010, 1, 1)),
                                  household_head=head, relation_to_head="child")
    return head, spouse, child


@pytest.fixture
def signals():
    got = []

    def receiver(sender, **kwargs):
        got.append(kwargs)

    person_status_changed.connect(receiver)
    yield got
    person_status_changed.disconnect(receiver)


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_version_goes_up_on_every_change(person, grid_worker):
    assert person.version == 1
    person = actions.update_person(person, actor=grid_worker, address="版本路2号")
    assert reload(person).version == 2
    actions.set_tags(person, ["独居老人"], actor=grid_worker)
    assert reload(person).version == 3  # a save with update_fields counts too


def test_a_stale_version_is_refused_with_the_current_record(person, grid_worker):
    actions.update_person(person, actor=grid_worker, address="并发路1号")
    with pytest.raises(actions.VersionConflict) as exc:
        actions.update_person(person, actor=grid_worker, address="并发路2号",
                              expected_version=1)
    assert exc.value.current.version == 2 and exc.value.current.address == "并发路1号"
    assert reload(person).address == "并发路1号"
    with pytest.raises(ValidationError) as bad:
        actions.change_phone(person, "13900000000", actor=grid_worker, expected_version="x")
    assert "expected_version" in bad.value.message_dict


def test_move_out_records_status_history_and_audit(family, grid_worker):
    head, spouse, child = family
    day = TODAY() - dt.timedelta(days=3)
    spouse = actions.move_out(spouse, actor=grid_worker, on=day, destination="杭州市西湖区",
                              reason="工作调动", expected_version=reload(spouse).version)
    spouse = reload(spouse)
    assert (spouse.status, spouse.status_on, spouse.moved_out_to, spouse.status_note) == (
        PersonStatus.MOVED_OUT, day, "杭州市西湖区", "工作调动")
    change = ChangeRecord.objects.filter(object_id=spouse.pk, object_type="person").first()
    assert change.action == "person.move_out" and change.changes["status"] == [
        "residing", "moved_out"]
    assert AuditRecord.objects.filter(action="basedata.person.move_out").exists()


def test_status_signal_is_sent_on_commit_only(family, grid_worker, signals,
                                              django_capture_on_commit_callbacks):
    head, spouse, child = family
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_death(child, actor=grid_worker, on=TODAY(), note="病故")
    assert len(signals) == 1
    sent = signals[0]
    assert sent["person"].pk == child.pk and sent["actor"] == grid_worker
    assert (sent["old_status"], sent["new_status"], sent["on"]) == (
        PersonStatus.RESIDING, PersonStatus.DECEASED, TODAY())

    # A change rolled back sends nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                actions.move_out(spouse, actor=grid_worker, on=TODAY(), destination="上海市")
                raise RuntimeError("rollback")
        except RuntimeError:
            pass
    assert callbacks == [] and len(signals) == 1
    assert reload(spouse).status == PersonStatus.RESIDING


def test_move_out_refusals(family, grid_worker):
    head, spouse, child = family
    with pytest.raises(ValidationError) as exc:
        actions.move_out(spouse, actor=grid_worker, on=TODAY() + dt.timedelta(days=1),
                         destination="上海市")
    assert exc.value.message_dict["on"] == ["日期不能晚于今天。"]
    with pytest.raises(ValidationError) as exc:
        actions.move_out(spouse, actor=grid_worker, on=TODAY(), destination=" ")
    assert "destination" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.move_out(spouse, actor=grid_worker, on="2026-13-01", destination="上海市")
    assert exc.value.message_dict["on"] == ["日期格式应为 YYYY-MM-DD。"]
    actions.record_death(child, actor=grid_worker, on=TODAY())
    with pytest.raises(ValidationError) as exc:
        actions.move_out(child, actor=grid_worker, on=TODAY(), destination="上海市")
    assert exc.value.message_dict["person"] == ["已死亡人员不能办理迁出。"]
    with pytest.raises(ValidationError) as exc:
        actions.record_death(child, actor=grid_worker, on=TODAY())
    assert exc.value.message_dict["person"] == ["该人员已登记死亡。"]
    actions.move_out(spouse, actor=grid_worker, on=TODAY(), destination="上海市")
    with pytest.raises(ValidationError) as exc:
        actions.move_out(spouse, actor=grid_worker, on=TODAY(), destination="上海市")
    assert exc.value.message_dict["person"] == ["该人员已迁出。"]


def test_out_of_scope_is_refused(person2, grid_worker):
    with pytest.raises(PermissionDenied):
        actions.move_out(person2, actor=grid_worker, on=TODAY(), destination="上海市")
    with pytest.raises(PermissionDenied):
        actions.change_phone(person2, "13900000001", actor=grid_worker)


def test_a_head_who_moves_out_hands_the_household_over(family, grid_worker):
    head, spouse, child = family
    with pytest.raises(ValidationError) as exc:
        actions.move_out(head, actor=grid_worker, on=TODAY(), destination="上海市",
                         new_head=head)
    assert "new_head" in exc.value.message_dict
    actions.move_out(head, actor=grid_worker, on=TODAY(), destination="上海市",
                     new_head=spouse)
    spouse, child = reload(spouse), reload(child)
    assert spouse.household_head_id == spouse.pk and spouse.relation_to_head == Relation.HEAD
    assert child.household_head_id == spouse.pk
    assert ChangeRecord.objects.filter(object_id=child.pk, action="person.household").exists()


def test_a_head_who_dies_without_successor_leaves_members_headless(family, grid_worker,
                                                                   client_as, house):
    head, spouse, child = family
    actions.record_death(head, actor=grid_worker, on=TODAY(), note="病故")
    assert reload(spouse).household_head_id is None
    assert reload(child).household_head_id is None
    html = client_as(grid_worker).get(f"/basedata/houses/{house.pk}/").content.decode()
    section = html[html.index('id="gg-bd-headless"'):]
    assert "配偶乙" in section and "子女丙" in section and "户主甲" not in section
    assert "已死亡" in html


def test_move_in_brings_a_moved_out_person_back(family, grid_worker, gulou_grid, signals,
                                                django_capture_on_commit_callbacks):
    head, spouse, child = family
    actions.move_out(spouse, actor=grid_worker, on=TODAY() - dt.timedelta(days=30),
                     destination="上海市")
    other = actions.create_house(actor=None, grid=gulou_grid, address="生命路2号")
    with django_capture_on_commit_callbacks(execute=True):
        spouse = actions.move_in(reload(spouse), other, actor=grid_worker, on=TODAY(),
                                 household_head=head, relation="spouse")
    spouse = reload(spouse)
    assert (spouse.status, spouse.house_id, spouse.moved_in_on, spouse.moved_out_to) == (
        PersonStatus.RESIDING, other.pk, TODAY(), "")
    assert spouse.address == str(other) and spouse.household_head_id == head.pk
    assert signals[-1]["old_status"] == PersonStatus.MOVED_OUT
    assert signals[-1]["new_status"] == PersonStatus.RESIDING
    actions.record_death(child, actor=grid_worker, on=TODAY())
    with pytest.raises(ValidationError) as exc:
        actions.move_in(child, other, actor=grid_worker, on=TODAY())
    assert exc.value.message_dict["person"] == ["已死亡人员不能办理迁入。"]
    actions.move_in(spouse, other, actor=grid_worker, on=TODAY(), household_head=spouse,
                    relation="child")
    # Joining oneself is "no household given": kept as it is.
    assert reload(spouse).household_head_id == head.pk


def test_move_in_to_a_house_out_of_scope_is_refused(person, grid_worker, gulou_grid2):
    other = actions.create_house(actor=None, grid=gulou_grid2, address="他处路1号")
    with pytest.raises(PermissionDenied):
        actions.move_in(person, other, actor=grid_worker, on=TODAY())


def test_change_phone_validates_and_records(person, grid_worker):
    with pytest.raises(ValidationError) as exc:
        actions.change_phone(person, "1234", actor=grid_worker)
    assert exc.value.message_dict["phone"] == ["手机号应为以1开头的11位号码。"]
    person = actions.change_phone(person, "+86 139-0000-1111", actor=grid_worker)
    person = reload(person)
    assert person.phone_masked == "139****1111" and person.phone() == "13900001111"
    change = ChangeRecord.objects.filter(object_id=person.pk, action="person.phone").get()
    assert change.changes["phone_masked"] == ["139****5678", "139****1111"]
    assert "13900001111" not in str(change.changes)
    version = person.version
    actions.change_phone(person, "13900001111", actor=grid_worker)  # the same: no change
    assert reload(person).version == version
    assert reload(actions.change_phone(person, "", actor=grid_worker)).phone_masked == ""


def test_set_household_join_change_and_new(family, grid_worker, gulou_grid, house, id_number):
    head, spouse, child = family
    lodger = actions.create_person(actor=None, grid=gulou_grid, house=house, name="租客丁",
                                   id_number=id_number())
    with pytest.raises(ValidationError) as exc:
        actions.set_household(lodger, spouse, "other", actor=grid_worker)
    assert "household_head" in exc.value.message_dict  # spouse is not a head
    with pytest.raises(ValidationError) as exc:
        actions.set_household(lodger, head, None, actor=grid_worker)
    assert "relation_to_head" in exc.value.message_dict
    lodger = actions.set_household(lodger, head, "other", actor=grid_worker)
    assert (lodger.household_head_id, lodger.relation_to_head) == (head.pk, "other")
    # Becoming the head of a new household.
    child = actions.set_household(child, None, None, actor=grid_worker)
    assert (reload(child).household_head_id, reload(child).relation_to_head) == (
        child.pk, Relation.HEAD)
    # A head joining another household brings the members.
    other_head = actions.create_person(actor=None, grid=gulou_grid, house=house, name="另户戊",
                                       id_number=id_number())
    actions.set_household(head, other_head, "sibling", actor=grid_worker)
    assert reload(other_head).household_head_id == other_head.pk
    assert reload(spouse).household_head_id == other_head.pk
    assert reload(lodger).household_head_id == other_head.pk
    assert AuditRecord.objects.filter(action="basedata.person.household").exists()
    actions.move_out(lodger, actor=grid_worker, on=TODAY(), destination="上海市")
    with pytest.raises(ValidationError):
        actions.set_household(lodger, other_head, "other", actor=grid_worker)


def test_change_house_use_and_its_version(house, grid_worker):
    with pytest.raises(ValidationError):
        actions.change_house_use(house, actor=grid_worker)
    with pytest.raises(ValidationError) as exc:
        actions.change_house_use(house, actor=grid_worker, use="castle")
    assert "use" in exc.value.message_dict
    house = actions.change_house_use(house, actor=grid_worker, use="commercial",
                                     rental_status="rented", expected_version=1)
    house = House.objects.get(pk=house.pk)
    assert (house.use, house.rental_status, house.version) == ("commercial", "rented", 2)
    with pytest.raises(actions.VersionConflict):
        actions.change_house_use(house, actor=grid_worker, use="office", expected_version=1)


def test_create_person_with_household_and_move_in_date(house, gulou_grid, grid_worker,
                                                       family, id_number):
    head = family[0]
    new = actions.create_person(actor=grid_worker, house=house, name="新生己",
                                id_number=id_number(), household_head=head,
                                relation_to_head="grandchild", moved_in_on=TODAY())
    assert (new.household_head_id, new.moved_in_on, new.status) == (
        head.pk, TODAY(), PersonStatus.RESIDING)
    with pytest.raises(ValidationError) as exc:
        actions.create_person(actor=grid_worker, house=house, name="新生庚",
                              id_number=id_number(), moved_in_on=timezone.localdate()
                              + dt.timedelta(days=2))
    assert "moved_in_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_person(actor=grid_worker, house=house, name="新生辛",
                              id_number=id_number(), household_head=head)
    assert "relation_to_head" in exc.value.message_dict


def test_lists_default_to_residing_people(family, grid_worker):
    from gridgov.basedata.filtersets import PersonFilterSet

    head, spouse, child = family
    actions.move_out(spouse, actor=grid_worker, on=TODAY(), destination="上海市")
    actions.record_death(child, actor=grid_worker, on=TODAY())
    base = Person.objects.filter(pk__in=[head.pk, spouse.pk, child.pk])

    def names(data):
        return sorted(p.name for p in PersonFilterSet(data, queryset=base, special=True).qs)

    assert names(None) == ["户主甲"]
    assert names({}) == ["户主甲"]
    assert names({"status": "moved_out"}) == ["配偶乙"]
    assert names({"status": "deceased"}) == ["子女丙"]
    assert names({"status": "all"}) == ["子女丙", "户主甲", "配偶乙"]
    assert not PersonFilterSet({"status": "gone"}, queryset=base, special=True).is_valid()
