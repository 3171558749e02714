import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import AuditRecord
from gridgov.basedata import actions, importers
from gridgov.basedata.models import House, Organisation, Person

HEADER = ["姓名", "身份证号", "户籍类型", "手机号", "网格编码", "居住地址", "户主身份证号",
          "人群标签"]


def _people_rows(id_number, grid, other_grid):
    head = id_number()
    good2 = id_number(female=True)
    bad_check = id_number()
    bad_check = bad_check[:-1] + ("0" if bad_check[-1] != "0" else "1")
    return head, good2, [
        ["户主甲", head, "户籍人口", "13911110001", grid, "导入路1号", "", "独居老人"],
        ["成员乙", good2, "流动人口", "", grid, "导入路1号", head, ""],
        ["坏校验", bad_check, "户籍人口", "", grid, "", "", ""],
        ["坏电话", id_number(), "户籍人口", "123", grid, "", "", ""],
        ["", id_number(), "户籍人口", "", grid, "", "", ""],
        ["外网格", id_number(), "户籍人口", "", other_grid, "", "", ""],
        ["重复", head, "户籍人口", "", grid, "", "", ""],
        ["特殊", id_number(), "户籍人口", "", grid, "", "", "社区矫正对象"],
        ["坏类型", id_number(), "火星人", "", grid, "", "", ""],
    ]


def _csv(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _xlsx(rows, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_mixed_good_and_bad_rows(fmt, grid_worker, gulou_grid, gulou_grid2, id_number):
    head, member, rows = _people_rows(id_number, gulou_grid.code, gulou_grid2.code)
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    batch = importers.run_import("people", data, f"people.{fmt}", actor=grid_worker)
    assert batch.total_rows == 9
    assert batch.created_rows == 2 and batch.rejected_rows == 7
    assert batch.created_rows + batch.updated_rows + batch.rejected_rows == batch.total_rows
    p = Person.objects.by_id_number(head).get()
    m = Person.objects.by_id_number(member).get()
    assert m.household_head_id == p.pk and m.registration_type == "floating"
    assert p.phone() == "13911110001" and p.source == "import"
    assert p.field_source("id_number")["source"] == "import"
    assert p.provenance == {"*": p.field_source("name")}
    assert [t.name for t in p.tags.all()] == ["独居老人"]
    report = list(csv.reader(io.StringIO(importers.report_csv(batch))))
    assert report[0][0] == "行号" and report[0][-1] == "错误说明"
    reasons = {int(r[0]): r[-1] for r in report[1:]}
    assert set(reasons) == {4, 5, 6, 7, 8, 9, 10}
    assert "身份证号: 身份证号校验位错误" in reasons[4]
    assert reasons[5].startswith("手机号:")
    assert reasons[6].startswith("姓名:")
    assert reasons[7].startswith("网格编码:")
    assert "第 2 行" in reasons[8]
    assert reasons[9].startswith("人群标签:")
    assert reasons[10].startswith("户籍类型:")
    # The stored report is encrypted: rejected rows may hold personal data.
    assert head not in batch.report and "坏校验" not in batch.report
    assert AuditRecord.objects.filter(action="basedata.import.people",
                                      object_id=str(batch.pk)).exists()


def test_existing_person_is_updated_not_duplicated(grid_worker, gulou_grid, person):
    rows = [["测试甲", person.id_number(), "户籍人口", "13800009999", gulou_grid.code,
             "更新路", "", ""]]
    batch = importers.run_import("people", _csv(rows), "p.csv", actor=grid_worker)
    assert (batch.created_rows, batch.updated_rows, batch.rejected_rows) == (0, 1, 0)
    person.refresh_from_db()
    assert person.phone() == "13800009999" and person.address == "更新路"
    assert person.provenance["phone"]["source"] == "import"


def test_existing_person_of_another_grid_is_rejected(grid_worker, gulou_grid, person2):
    rows = [["测试乙", person2.id_number(), "户籍人口", "", gulou_grid.code, "", "", ""]]
    batch = importers.run_import("people", _csv(rows), "p.csv", actor=grid_worker)
    assert batch.rejected_rows == 1 and batch.updated_rows == 0
    assert "其他网格" in importers.report_csv(batch)


def test_valid_rows_are_saved_atomically(grid_worker, gulou_grid, id_number, monkeypatch):
    rows = [["甲", id_number(), "", "", gulou_grid.code, "", "", ""],
            ["乙", id_number(), "", "", gulou_grid.code, "", "", ""]]
    before = Person.objects.count()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "record", boom)
    with pytest.raises(RuntimeError):
        importers.run_import("people", _csv(rows), "p.csv", actor=grid_worker)
    assert Person.objects.count() == before


def test_unreadable_file_and_roles(grid_worker, leader):
    with pytest.raises(ValidationError):
        importers.run_import("people", b"\x00\x01", "x.pdf", actor=grid_worker)
    with pytest.raises(PermissionDenied):
        importers.run_import("people", _csv([]), "p.csv", actor=leader)


def test_houses_and_organisations(grid_worker, gulou_grid, uscc_code):
    houses = _csv([["导入楼1号", "1单元", "101", "住宅", "张三", "出租", gulou_grid.code],
                   ["导入楼1号", "1单元", "101", "住宅", "张三", "出租", gulou_grid.code],
                   ["", "", "", "", "", "", gulou_grid.code],
                   ["导入楼2号", "", "", "城堡", "", "", gulou_grid.code]],
                  header=["标准地址", "单元", "房号", "用途", "产权人", "出租状态", "网格编码"])
    batch = importers.run_import("houses", houses, "h.csv", actor=grid_worker)
    assert (batch.created_rows, batch.rejected_rows) == (1, 3)
    assert House.objects.get(address="导入楼1号").rental_status == "rented"
    code = uscc_code()
    orgs = _xlsx([["导入公司", code, "企业", "法人", "地址", gulou_grid.code],
                  ["坏码公司", code[:-1] + ("0" if code[-1] != "0" else "1"), "企业", "", "",
                   gulou_grid.code]],
                 header=["名称", "统一社会信用代码", "类型", "法定代表人", "地址", "网格编码"])
    batch = importers.run_import("organisations", orgs, "o.xlsx", actor=grid_worker)
    assert (batch.created_rows, batch.rejected_rows) == (1, 1)
    assert Organisation.objects.filter(uscc=code).exists()
    assert "统一社会信用代码: 统一社会信用代码校验位错误" in importers.report_csv(batch)


def test_grid_by_point(grid_worker, gulou_grid, id_number):
    from gridgov.areas.index import lookup_point

    lng, lat = gulou_grid.centroid_lng, gulou_grid.centroid_lat
    if lookup_point(lng, lat).pk != gulou_grid.pk:
        pytest.skip("centroid outside its grid")
    rows = [["点位", id_number(), lng, lat], ["远方", id_number(), 100.0, 30.0]]
    batch = importers.run_import("people", _csv(rows, ["姓名", "身份证号", "经度", "纬度"]),
                                 "p.csv", actor=grid_worker)
    assert (batch.created_rows, batch.rejected_rows) == (1, 1)
    assert "不在本辖区" in importers.report_csv(batch)


def test_tags_added_to_existing_people_are_audited_on_their_chain(grid_worker, gulou_grid,
                                                                  person):
    from gridgov.basedata.models import ChangeRecord

    actions.set_tags(person, ["低保户"], actor=None)
    chain = f"basedata.person:{person.pk}"
    tagged = AuditRecord.objects.filter(action="basedata.person.tags", chain_key=chain)
    before = tagged.count()
    rows = [["测试甲", person.id_number(), "户籍人口", "", gulou_grid.code, "", "",
             "独居老人;低保户"]]
    batch = importers.run_import("people", _csv(rows), "p.csv", actor=grid_worker)
    assert batch.updated_rows == 1
    assert set(person.tags.values_list("name", flat=True)) == {"独居老人", "低保户"}
    # One record for the one person whose tags changed, on that person's chain.
    assert tagged.count() == before + 1
    rec = tagged.latest("pk")
    assert rec.actor_id == grid_worker.pk
    assert rec.changes["tags"] == [["低保户"], ["低保户", "独居老人"]]
    person.refresh_from_db()
    assert person.provenance["tags"]["source"] == "import"
    assert ChangeRecord.objects.filter(object_id=person.pk, action="person.tags",
                                       source="import").exists()
    # The same file again adds nothing, so nothing more is recorded.
    importers.run_import("people", _csv(rows), "p.csv", actor=grid_worker)
    assert tagged.count() == before + 1
