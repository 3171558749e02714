"""Area actions: validation, geometry rules, permission, audit, revision."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from shapely.geometry import box

from gridgov.areas import geometry
from gridgov.areas.actions import bulk_create_areas, create_area, retire_area, update_area
from gridgov.areas.choices import Kind, Level
from gridgov.areas.models import Area, AreaRevision
from gridgov.audit.models import AuditRecord

from .conftest import START, C, D, S, square

SE = square(100.01, 30.00, 100.02, 30.01)  # the open quadrant of the test community


def new_grid(parent, *, actor=None, code=f"{C}004", geometry=SE, **kw):
    return create_area(code=code, name="四网格", level=Level.GRID, kind=kw.pop("kind", "basic"),
                       parent=parent, geometry=geometry, valid_from=kw.pop("valid_from", START),
                       actor=actor, **kw)


def audit_for(area):
    return list(AuditRecord.objects.filter(object_type="areas.area", object_id=str(area.pk)))


# --- create --------------------------------------------------------------------------------

def test_create_computes_area_centroid_bbox_and_audits(tcommunity, tgrids, t_admin):
    rev = AreaRevision.current()
    grid = new_grid(tcommunity, actor=t_admin, households=320, land_use="住宅")
    grid.refresh_from_db()
    assert grid.area_m2 == pytest.approx(geometry.area_m2(box(100.01, 30.0, 100.02, 30.01)),
                                         abs=0.01)
    assert (grid.centroid_lng, grid.centroid_lat) == pytest.approx((100.015, 30.005))
    assert (grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat) == pytest.approx(
        (100.01, 30.0, 100.02, 30.01))
    assert grid.households == 320 and grid.land_use == "住宅"
    assert AreaRevision.current() == rev + 1
    records = audit_for(grid)
    assert len(records) == 1
    rec = records[0]
    assert rec.action == "areas.create"
    assert rec.actor_id == t_admin.pk and rec.actor_name == "t_sysadmin"
    assert "sys_admin" in rec.role
    assert "geometry" not in rec.changes
    assert rec.changes["code"] == [None, grid.code]
    assert rec.changes["area_m2"] == [None, grid.area_m2]
    assert len(rec.changes["geometry_sha256"][1]) == 64


def test_system_loader_is_recorded_as_system(tcommunity, tgrids):
    grid = new_grid(tcommunity, actor=None)
    rec = audit_for(grid)[0]
    assert rec.actor_id is None and rec.actor_name == "system"


def test_only_the_system_administrator_may_write(tcommunity, tgrids, t_leader):
    for actor in (t_leader, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            new_grid(tcommunity, actor=actor)
        with pytest.raises(PermissionDenied):
            update_area(tgrids[0], name="改名", actor=actor)
        with pytest.raises(PermissionDenied):
            retire_area(tgrids[0], valid_to=dt.date(2030, 1, 1), actor=actor)
        with pytest.raises(PermissionDenied):
            bulk_create_areas([], actor=actor)
    assert not Area.objects.filter(code=f"{C}004").exists()
    assert Area.objects.get(pk=tgrids[0].pk).name == "一网格"


@pytest.mark.parametrize("changes,field,needle", [
    ({"code": f"{C}04"}, "code", "15 位数字"),
    ({"code": f"{C}00A"}, "code", "15 位数字"),
    ({"code": f"{S}002004"}, "code", "以上级区域编码"),
    ({"code": f"{C}000"}, "code", "001–999"),
    ({"code": f"{C}001"}, "code", "已被使用"),
    ({"kind": Kind.VILLAGE}, "kind", "基础网格"),
    ({"level": Level.COMMUNITY, "code": f"{S}004"}, "parent", "上级必须是"),
    ({"level": "block"}, "level", "未知的层级"),
    ({"name": "  "}, "name", "名称"),
    ({"valid_from": dt.date(2019, 1, 1)}, "parent", "有效期"),
    ({"valid_to": dt.date(2019, 1, 1)}, "valid_to", "不能早于"),
    ({"valid_from": "2020-13-01"}, "valid_from", "YYYY-MM-DD"),
])
def test_create_rejects_bad_identity(tcommunity, tgrids, changes, field, needle):
    args = dict(code=f"{C}004", name="四网格", level=Level.GRID, kind=Kind.BASIC_GRID,
                parent=tcommunity, geometry=SE, valid_from=START, actor=None)
    args.update(changes)
    with pytest.raises(ValidationError) as exc:
        create_area(**args)
    assert needle in " ".join(exc.value.message_dict[field])
    assert not Area.objects.filter(code=args["code"], name="四网格").exists()


def test_gb_t_10114_ranges_per_kind(tdistrict, tstreet):
    big = square(100.02, 30.0, 100.04, 30.04)
    # A town must be numbered 100-199.
    with pytest.raises(ValidationError) as exc:
        create_area(code=f"{D}002", name="测试镇", level=Level.STREET, kind=Kind.TOWN,
                    parent=tdistrict, geometry=big, valid_from=START, actor=None)
    assert "100–199" in exc.value.message_dict["code"][0]
    town = create_area(code=f"{D}101", name="测试镇", level=Level.STREET, kind=Kind.TOWN,
                       parent=tdistrict, geometry=big, valid_from=START, actor=None)
    # A village (村委会) must be numbered 200-399.
    with pytest.raises(ValidationError):
        create_area(code=f"{D}101001", name="测试村", level=Level.COMMUNITY, kind=Kind.VILLAGE,
                    parent=town, geometry=big, valid_from=START, actor=None)
    village = create_area(code=f"{D}101200", name="测试村", level=Level.COMMUNITY,
                          kind=Kind.VILLAGE, parent=town, geometry=big, valid_from=START,
                          actor=None)
    assert village.parent == town


def test_district_has_no_parent(tdistrict):
    with pytest.raises(ValidationError) as exc:
        create_area(code="990102", name="另一区", level=Level.DISTRICT, kind=Kind.DISTRICT,
                    parent=tdistrict, geometry=square(101, 30, 101.1, 30.1), valid_from=START,
                    actor=None)
    assert "parent" in exc.value.message_dict


def test_create_rejects_overlap_with_reason(tcommunity, tgrids):
    with pytest.raises(ValidationError) as exc:
        new_grid(tcommunity, geometry=square(100.01, 30.00, 100.02, 30.012))
    text = " ".join(exc.value.message_dict["geometry"])
    assert tgrids[1].code in text and "重叠" in text and "平方米" in text
    assert not Area.objects.filter(code=f"{C}004").exists()


def test_create_rejects_child_outside_parent(tcommunity, tgrids):
    with pytest.raises(ValidationError) as exc:
        new_grid(tcommunity, geometry=square(100.01, 30.00, 100.03, 30.01))
    assert "超出上级区域" in exc.value.message_dict["geometry"][0]


def test_create_rejects_invalid_polygon(tcommunity, tgrids):
    bowtie = {"type": "Polygon", "coordinates": [
        [[100.01, 30.0], [100.02, 30.01], [100.02, 30.0], [100.01, 30.01], [100.01, 30.0]]]}
    with pytest.raises(ValidationError) as exc:
        new_grid(tcommunity, geometry=bowtie)
    assert "自相交" in exc.value.message_dict["geometry"][0]


# --- update --------------------------------------------------------------------------------

def test_update_records_only_the_changes(tgrids, t_admin):
    grid = update_area(tgrids[0], name="一号网格", households=280, actor=t_admin)
    assert grid.name == "一号网格"
    rec = audit_for(grid)[-1]
    assert rec.action == "areas.update"
    assert rec.changes == {"name": ["一网格", "一号网格"], "households": [None, 280]}


def test_update_without_change_writes_nothing(tgrids):
    rev = AreaRevision.current()
    update_area(tgrids[0], name="一网格", actor=None)
    assert AreaRevision.current() == rev
    assert [r.action for r in audit_for(tgrids[0])] == ["areas.create"]


def test_update_geometry_is_checked_and_audited_by_hash(tgrids):
    before = tgrids[1].area_m2
    grid = update_area(tgrids[1], geometry=square(100.01, 30.00, 100.02, 30.02), actor=None)
    assert grid.area_m2 == pytest.approx(2 * before, rel=1e-3)
    rec = audit_for(grid)[-1]
    assert set(rec.changes) >= {"geometry_sha256", "area_m2", "centroid_lat"}
    assert "geometry" not in rec.changes
    with pytest.raises(ValidationError) as exc:
        update_area(tgrids[0], geometry=square(100.00, 30.005, 100.01, 30.02), actor=None)
    assert tgrids[2].code in exc.value.message_dict["geometry"][0]


def test_update_cannot_leave_a_child_outside(tcommunity, tgrids):
    with pytest.raises(ValidationError) as exc:
        update_area(tcommunity, geometry=square(100.00, 30.00, 100.02, 30.015), actor=None)
    text = " ".join(exc.value.message_dict["geometry"])
    assert tgrids[0].code in text and tgrids[1].code in text and tgrids[2].code not in text


def test_update_refuses_fixed_fields(tgrids):
    for field, value in (("code", f"{C}009"), ("level", Level.COMMUNITY), ("parent", None)):
        with pytest.raises(ValidationError) as exc:
            update_area(tgrids[0], actor=None, **{field: value})
        assert field in exc.value.message_dict


# --- retire --------------------------------------------------------------------------------

def test_retire_needs_children_retired_first(tcommunity, tgrids, t_admin):
    day = dt.date(2030, 1, 1)
    with pytest.raises(ValidationError) as exc:
        retire_area(tcommunity, valid_to=day, actor=t_admin)
    assert tgrids[0].code in exc.value.message_dict["valid_to"][0]
    for grid in tgrids:
        retire_area(grid, valid_to=day, actor=t_admin)
    community = retire_area(tcommunity, valid_to=day, actor=t_admin)
    assert community.valid_to == day
    rec = audit_for(community)[-1]
    assert rec.action == "areas.retire" and rec.changes == {"valid_to": [None, "2030-01-01"]}


def test_retire_before_start_is_rejected(tgrids):
    with pytest.raises(ValidationError):
        retire_area(tgrids[0], valid_to=dt.date(2019, 1, 1), actor=None)


def test_successor_may_replace_a_retired_grid(tcommunity, tgrids):
    day = dt.date(2024, 1, 1)
    retire_area(tgrids[1], valid_to=day, actor=None)
    successor = new_grid(tcommunity, geometry=square(100.01, 30.00, 100.02, 30.02),
                         valid_from=day)
    assert successor.valid_from == day
    with pytest.raises(ValidationError):  # but not while the old one was still valid
        new_grid(tcommunity, code=f"{C}005", geometry=square(100.01, 30.01, 100.02, 30.02),
                 valid_from=dt.date(2023, 6, 1))


# --- bulk ----------------------------------------------------------------------------------

def test_bulk_builds_a_hierarchy_by_parent_code(tstreet):
    code = f"{S}002"
    rows = [
        dict(code=code, name="二社区", level=Level.COMMUNITY, kind=Kind.COMMUNITY, parent=S,
             geometry=square(100.00, 30.02, 100.02, 30.04), valid_from=START),
        dict(code=f"{code}001", name="甲", level=Level.GRID, kind=Kind.BASIC_GRID,
             parent=code, geometry=square(100.00, 30.02, 100.01, 30.04), valid_from=START),
        dict(code=f"{code}002", name="乙", level=Level.GRID, kind=Kind.DEDICATED_GRID,
             parent=code, geometry=square(100.01, 30.02, 100.02, 30.04), valid_from=START,
             responsible_party="某产业园管委会"),
    ]
    rev = AreaRevision.current()
    created = bulk_create_areas(rows, actor=None)
    assert [a.code for a in created] == [r["code"] for r in rows]
    assert created[1].parent_id == created[0].pk
    assert AreaRevision.current() == rev + 1  # one bump per batch
    assert all(len(audit_for(a)) == 1 for a in created)
    assert geometry.coverage_gaps(created[0]) == []


def test_bulk_checks_rows_against_each_other_and_rolls_back(tstreet):
    code = f"{S}002"
    rows = [
        dict(code=code, name="二社区", level=Level.COMMUNITY, kind=Kind.COMMUNITY, parent=S,
             geometry=square(100.00, 30.02, 100.02, 30.04), valid_from=START),
        dict(code=f"{code}001", name="甲", level=Level.GRID, kind=Kind.BASIC_GRID,
             parent=code, geometry=square(100.00, 30.02, 100.012, 30.04), valid_from=START),
        dict(code=f"{code}002", name="乙", level=Level.GRID, kind=Kind.BASIC_GRID,
             parent=code, geometry=square(100.01, 30.02, 100.02, 30.04), valid_from=START),
    ]
    with pytest.raises(ValidationError) as exc:
        bulk_create_areas(rows, actor=None)
    text = " ".join(exc.value.message_dict["geometry"])
    assert text.startswith(f"[{code}002]") and f"{code}001" in text
    assert not Area.objects.filter(code__startswith=code).exists()


def test_bulk_checks_against_stored_siblings(tcommunity, tgrids):
    rows = [dict(code=f"{C}004", name="四", level=Level.GRID, kind=Kind.BASIC_GRID,
                 parent=tcommunity, geometry=square(100.005, 30.0, 100.02, 30.01),
                 valid_from=START)]
    with pytest.raises(ValidationError) as exc:
        bulk_create_areas(rows, actor=None)
    assert tgrids[2].code in exc.value.message_dict["geometry"][0]


def test_bulk_rejects_unknown_parent_and_duplicate_codes(tcommunity, tgrids):
    row = dict(code=f"{C}004", name="四", level=Level.GRID, kind=Kind.BASIC_GRID,
               parent="990101001009", geometry=SE, valid_from=START)
    with pytest.raises(ValidationError) as exc:
        bulk_create_areas([row], actor=None)
    assert "990101001009" in exc.value.message_dict["parent"][0]
    row["parent"] = C
    with pytest.raises(ValidationError) as exc:
        bulk_create_areas([row, dict(row)], actor=None)
    assert "已被使用" in exc.value.message_dict["code"][0]


def test_demo_system_administrator_may_write_others_may_not(gulou_community, sys_admin, leader,
                                                            grid_worker, sec_admin):
    from gridgov.areas.geometry import area_shape

    grid = gulou_community.children.order_by("code").first()
    for actor in (leader, grid_worker, sec_admin):
        with pytest.raises(PermissionDenied):
            update_area(grid, households=1, actor=actor)
    updated = update_area(grid, households=(grid.households or 0) + 1, actor=sys_admin)
    assert audit_for(updated)[-1].actor_name == "sysadmin"
    # The demo's grids tile their community: a new grid anywhere inside overlaps one.
    inside = area_shape(grid).representative_point()
    with pytest.raises(ValidationError) as exc:
        create_area(code=f"{gulou_community.code}999", name="多余网格", level=Level.GRID,
                    kind=Kind.BASIC_GRID, parent=gulou_community,
                    geometry=square(inside.x - 1e-4, inside.y - 1e-4, inside.x + 1e-4,
                                    inside.y + 1e-4),
                    valid_from=START, actor=sys_admin)
    assert grid.code in " ".join(exc.value.message_dict["geometry"])


def test_update_dates_respect_children(tcommunity, tgrids):
    with pytest.raises(ValidationError) as exc:
        update_area(tcommunity, valid_to=dt.date(2030, 1, 1), actor=None)
    assert tgrids[0].code in exc.value.message_dict["valid_to"][0]
    with pytest.raises(ValidationError) as exc:
        update_area(tcommunity, valid_from=dt.date(2021, 1, 1), actor=None)
    assert "valid_from" in exc.value.message_dict


def test_update_kind_must_fit_the_code(tstreet):
    with pytest.raises(ValidationError) as exc:
        update_area(tstreet, kind=Kind.TOWN, actor=None)  # 990101001: 001 is a street number
    assert "100–199" in exc.value.message_dict["kind"][0]
    street = update_area(tstreet, kind=Kind.STREET, name="测试街道二", actor=None)
    assert street.name == "测试街道二"
