import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from gridgov.events.actions import hotline
from gridgov.events.choices import Source, State
from gridgov.events.models import Event
from gridgov.moderation import actions as moderation
from gridgov.moderation.models import LexiconTerm

from .intake_support import OUTSIDE, point_in

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "热线", "诉求内容", "经度", "纬度", "坐标系", "地址", "事件小类编码",
          "诉求性质", "紧急程度", "诉求人", "联系电话"]


def rows(grid):
    lng, lat = point_in(grid)
    return [
        # good
        ["H-001", "12345", "人行道地砖松动", lng, lat, "wgs84", "鼓楼步行街", "0109", "求决",
         "一般", "王先生", "13800005678"],
        # bad: missing description, bad phone
        ["H-002", "12345", "", lng, lat, "", "", "", "投诉", "", "李女士", "12345"],
        # good, 81890, landline, category blank
        ["H-003", "81890", "楼道灯不亮", lng, lat, "", "", "", "", "", "", "0574-87654321"],
        # bad: outside the district, unknown category, bad line
        ["H-004", "110", "路面积水", OUTSIDE[0], OUTSIDE[1], "", "", "9999", "", "", "", ""],
        # bad: not a number, unknown nature
        ["H-005", "12345", "噪音扰民", "东经121", lat, "", "", "", "骂人", "", "", ""],
        # bad: the same work order twice in one file
        ["H-001", "12345", "人行道地砖松动", lng, lat, "wgs84", "鼓楼步行街", "0109", "求决",
         "一般", "王先生", "13800005678"],
    ]


def as_csv(data, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(data)
    return out.getvalue().encode(encoding)


def as_xlsx(data) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_mixed(result):
    assert result.total == 6
    assert [r for r, _ in result.created] == [2, 4]
    assert result.error_rows == [3, 5, 6, 7]
    cells = {(e.row, e.field) for e in result.errors}
    assert {(3, "description"), (3, "reporter_phone"), (5, "line"), (5, "category"),
            (5, "location"), (6, "lng"), (6, "nature"), (7, "external_id")} <= cells
    location = next(e for e in result.errors if e.field == "location")
    assert location.reason == "该位置不在本辖区范围内" and location.column == "经度/纬度"
    dup = next(e for e in result.errors if e.row == 7)
    assert "第 2 行" in dup.reason
    saved = Event.objects.filter(external_id__in=["H-001", "H-002", "H-003", "H-004", "H-005"])
    assert sorted(saved.values_list("external_id", flat=True)) == ["H-001", "H-003"]
    first = saved.get(external_id="H-001")
    assert first.source == Source.HOTLINE_12345 and first.category.code == "0109"
    assert saved.get(external_id="H-003").source == Source.HOTLINE_81890


def test_csv_mixed_rows_saves_only_the_good_ones(intake_clerk, gulou_grid):
    check_mixed(hotline.import_file("h.csv", as_csv(rows(gulou_grid)), actor=intake_clerk))


def test_gbk_csv_is_read(intake_clerk, gulou_grid):
    data = as_csv(rows(gulou_grid)[:1], encoding="gbk")
    result = hotline.import_file("h.csv", data, actor=intake_clerk)
    assert len(result.created) == 1 and not result.errors


def test_xlsx_mixed_rows_saves_only_the_good_ones(intake_clerk, gulou_grid):
    check_mixed(hotline.import_file("h.xlsx", as_xlsx(rows(gulou_grid)), actor=intake_clerk))


def test_reimport_is_idempotent_by_external_id(intake_clerk, gulou_grid):
    data = as_csv(rows(gulou_grid))
    hotline.import_file("h.csv", data, actor=intake_clerk)
    again = hotline.import_file("h.csv", data, actor=intake_clerk)
    assert again.created == [] and [r for r, _ in again.existing] == [2, 4]
    assert Event.objects.filter(external_id="H-001").count() == 1


def test_error_report_csv_lists_row_column_and_reason(intake_clerk, gulou_grid):
    result = hotline.import_file("h.csv", as_csv(rows(gulou_grid)), actor=intake_clerk)
    text = hotline.error_report_csv(result).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["行号", "列", "字段", "值", "原因"]
    assert ["3", "诉求内容", "description", "", "此项为必填项。"] in table
    assert any(r[0] == "6" and r[1] == "经度" and r[3] == "东经121" for r in table)
    assert len(table) - 1 == len(result.errors)


def test_missing_required_column_is_a_file_error(intake_clerk):
    data = "工单编号,热线\nA,12345\n".encode()
    with pytest.raises(hotline.FileError) as exc:
        hotline.import_file("h.csv", data, actor=intake_clerk)
    assert "诉求内容" in exc.value.message_dict["file"][0]


def test_old_xls_and_empty_files_are_refused(intake_clerk):
    for data in (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, b""):
        with pytest.raises(hotline.FileError):
            hotline.import_file("h.xls", data, actor=intake_clerk)


def test_hotline_text_is_screened(intake_clerk, gulou_grid):
    LexiconTerm.objects.all().delete()
    moderation.create_term(term="狗官", category="abuse", actor=None)
    lng, lat = point_in(gulou_grid)
    result = hotline.import_records(
        [{"external_id": "M-1", "line": "12345", "description": "这些狗官", "lng": lng,
          "lat": lat}], actor=intake_clerk)
    (row, event) = result.held[0]
    assert row == 1 and Event.objects.get(pk=event.pk).state == State.HELD


def test_only_intake_staff_import(grid_worker, gulou_grid):
    with pytest.raises(PermissionDenied):
        hotline.import_file("h.csv", as_csv(rows(gulou_grid)), actor=grid_worker)


def test_row_limit(intake_clerk, gulou_grid, settings):
    settings.GRIDGOV_HOTLINE_MAX_ROWS = 2
    with pytest.raises(hotline.FileError):
        hotline.import_file("h.csv", as_csv(rows(gulou_grid)), actor=intake_clerk)


def test_template_has_every_column():
    text = hotline.template_csv().decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(text)))
    assert header == HEADER and example[0].startswith("12345-")


def test_upload_is_audited_with_its_outcome(intake_clerk, gulou_grid):
    from gridgov.audit.models import AuditRecord

    data = as_csv(rows(gulou_grid))
    hotline.import_file("mixed.csv", data, actor=intake_clerk)
    rec = AuditRecord.objects.filter(action="events.hotline_import").latest("at")
    assert rec.object_repr == "mixed.csv" and rec.actor_name == intake_clerk.username
    assert rec.changes["created"] == [None, 2] and rec.changes["error_rows"] == [None,
                                                                                 [3, 5, 6, 7]]


def test_hotline_centre_api_key_may_import(dept_admin, gulou_grid):
    from gridgov.accounts import actions as account_actions
    from gridgov.accounts.api.authentication import ApiClient

    key, _raw = account_actions.issue_api_key(dept_admin.department, name="12345", actor=None)
    lng, lat = point_in(gulou_grid)
    result = hotline.import_records(
        [{"external_id": "K-1", "line": "12345", "description": "噪音扰民", "lng": lng,
          "lat": lat}], actor=ApiClient(key))
    (row, event) = result.created[0]
    assert event.idempotency_key == "hotline_12345:K-1" and event.reporter_user is None
