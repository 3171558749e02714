"""Limits on the hotline upload (issue 9, item 7): upload size, row count, zip bombs, and a
capped error report. Every refusal names the limit and creates no event."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.audit.models import AuditRecord
from gridgov.core import uploads
from gridgov.events.actions import hotline
from gridgov.events.models import Event

from .intake_support import point_in

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "热线", "诉求内容", "经度", "纬度"]


def good_rows(grid, n, prefix="L"):
    lng, lat = point_in(grid)
    return [[f"{prefix}-{i}", "12345", "井盖缺失", lng, lat] for i in range(n)]


def as_csv(data, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(data)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(data, header=HEADER) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in data:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb(data: bytes, size: int) -> bytes:
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/padding.bin", "w") as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


def no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(hotline, "_rows", refuse)
    monkeypatch.setattr(hotline, "_decode", refuse)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_over_the_byte_limit_is_refused_unparsed(fmt, settings, monkeypatch,
                                                      intake_clerk, gulou_grid):
    data = (as_csv if fmt == "csv" else as_xlsx)(good_rows(gulou_grid, 20))
    settings.GRIDGOV_MAX_UPLOAD_BYTES = len(data) - 1
    no_parsing(monkeypatch)
    with pytest.raises(hotline.FileError) as exc:
        hotline.import_file(f"h.{fmt}", data, actor=intake_clerk)
    assert "大小上限" in exc.value.message_dict["file"][0]
    assert not Event.objects.filter(external_id__startswith="L-").exists()


def test_upload_view_uses_the_setting_and_refuses_before_reading(client_as, intake_clerk,
                                                                 settings, monkeypatch):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 2048
    no_parsing(monkeypatch)
    monkeypatch.setattr(hotline, "import_file", lambda *a, **k: pytest.fail("file read"))
    upload = SimpleUploadedFile("h.csv", b"x" * 4096, "text/csv")
    response = client_as(intake_clerk).post("/events/hotline/upload/", {"file": upload})
    assert response.status_code == 400
    assert "单个文件不能超过 2 KB" in response.content.decode()


def test_upload_view_accepts_a_file_up_to_the_setting(client_as, intake_clerk, settings,
                                                      gulou_grid):
    data = as_csv(good_rows(gulou_grid, 1))
    settings.GRIDGOV_MAX_UPLOAD_BYTES = len(data)
    upload = SimpleUploadedFile("h.csv", data, "text/csv")
    response = client_as(intake_clerk).post("/events/hotline/upload/", {"file": upload})
    assert response.status_code == 200
    assert Event.objects.filter(external_id="L-0").count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_over_the_row_limit_is_refused_with_the_limit(fmt, settings, intake_clerk,
                                                           gulou_grid):
    settings.GRIDGOV_HOTLINE_MAX_ROWS = 3
    data = (as_csv if fmt == "csv" else as_xlsx)(good_rows(gulou_grid, 4))
    with pytest.raises(hotline.FileError) as exc:
        hotline.import_file(f"h.{fmt}", data, actor=intake_clerk)
    assert "最多导入 3 行" in exc.value.message_dict["file"][0]
    assert not Event.objects.filter(external_id__startswith="L-").exists()


def test_row_limit_in_the_view_is_a_400_with_the_message(client_as, intake_clerk, settings,
                                                         gulou_grid):
    settings.GRIDGOV_HOTLINE_MAX_ROWS = 2
    upload = SimpleUploadedFile("h.csv", as_csv(good_rows(gulou_grid, 3)), "text/csv")
    response = client_as(intake_clerk).post("/events/hotline/upload/", {"file": upload})
    assert response.status_code == 400 and "最多导入 2 行" in response.content.decode()


def test_a_table_of_blank_rows_is_refused(settings, intake_clerk):
    settings.GRIDGOV_HOTLINE_MAX_ROWS = 10
    with pytest.raises(hotline.FileError, match="空行过多"):
        hotline.import_file("h.csv", as_csv([["", "", "", "", ""]] * 1021),
                            actor=intake_clerk)


def test_zip_bomb_xlsx_is_refused_before_it_is_opened(settings, monkeypatch, intake_clerk,
                                                      gulou_grid):
    settings.GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    data = bomb(as_xlsx(good_rows(gulou_grid, 1)), 8 * 1024 * 1024)
    assert len(data) < 100 * 1024
    monkeypatch.setattr(openpyxl, "load_workbook",
                        lambda *a, **k: pytest.fail("the workbook was opened"))
    with pytest.raises(hotline.FileError) as exc:
        hotline.import_file("bomb.xlsx", data, actor=intake_clerk)
    assert "解压后超过 4 MB" in exc.value.message_dict["file"][0]
    assert not Event.objects.filter(external_id__startswith="L-").exists()


def test_zip_bomb_over_the_default_limit_is_refused(intake_clerk, gulou_grid):
    data = bomb(as_xlsx(good_rows(gulou_grid, 1)), 101 * 1024 * 1024)
    with pytest.raises(hotline.FileError, match="解压后超过 100 MB"):
        hotline.import_file("bomb.xlsx", data, actor=intake_clerk)
    assert uploads.max_uncompressed_bytes() == 100 * 1024 * 1024


def test_error_report_is_capped_and_counts_the_rest(settings, intake_clerk, gulou_grid):
    lng, lat = point_in(gulou_grid)
    data = [[f"E-{i}", "110", "=HYPERLINK(\"http://x\")" + "长" * 3000, lng, lat]
            for i in range(1100)]
    result = hotline.import_records(
        [dict(zip(["external_id", "line", "description", "lng", "lat"], r, strict=True))
         for r in data], actor=intake_clerk)
    assert len(result.error_rows) == 1100
    table = list(csv.reader(io.StringIO(hotline.error_report_csv(result).decode("utf-8-sig"))))
    listed = [r for r in table[1:] if r[0]]
    assert sorted({int(r[0]) for r in listed}) == list(range(1, 1001))
    assert "另有 100 行有错误" in table[-1][4] and "共 1100 行" in table[-1][4]
    assert all(len(cell) <= hotline.REPORT_CELL_MAX + 2 for r in listed for cell in r)
    # Values typed as formulas are shown, not run.
    assert all(not r[3].startswith("=") for r in listed)
    assert uploads.report_max_rows() == 1000


def test_normal_upload_is_unchanged(intake_clerk, gulou_grid):
    for fmt, make in (("csv", as_csv), ("xlsx", as_xlsx)):
        result = hotline.import_file(f"h.{fmt}", make(good_rows(gulou_grid, 3, fmt)),
                                     actor=intake_clerk)
        assert [r for r, _ in result.created] == [2, 3, 4] and not result.errors
        text = hotline.error_report_csv(result).decode("utf-8-sig")
        assert text.strip() == "行号,列,字段,值,原因"
    assert AuditRecord.objects.filter(action="events.hotline_import").count() == 2
