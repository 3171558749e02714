"""Limits on the base-data import (issue 9, item 7): upload size, row count, zip bombs, and a
capped reject report. Every refusal names the limit and saves nothing."""

import csv
import io
import time
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from gridgov.basedata import importers
from gridgov.basedata.models import ImportBatch, Person
from gridgov.core import uploads

HEADER = ["姓名", "身份证号", "户籍类型", "网格编码"]


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


def _bomb(data: bytes, size: int) -> bytes:
    """``data`` (an XLSX) with one more member of ``size`` zero bytes: small on disk, huge
    when inflated."""
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("xl/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buf.getvalue()


def _no_parsing(monkeypatch):
    """Make any attempt to parse the file fail the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(importers, "_csv_rows", refuse, raising=False)
    monkeypatch.setattr(importers, "_xlsx_rows", refuse, raising=False)


# --- upload size ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_over_the_byte_limit_is_refused_unparsed(fmt, settings, monkeypatch, grid_worker,
                                                      gulou_grid, id_number):
    rows = [[f"人{i}", id_number(), "户籍人口", gulou_grid.code] for i in range(30)]
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    settings.GRIDGOV_MAX_UPLOAD_BYTES = len(data) - 1
    _no_parsing(monkeypatch)
    people = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", data, f"p.{fmt}", actor=grid_worker)
    message = exc.value.message_dict["file"][0]
    assert "大小上限" in message and uploads.human_size(len(data) - 1) in message
    assert not ImportBatch.objects.exists() and Person.objects.count() == people


def test_default_byte_limit_is_the_setting(settings, monkeypatch, grid_worker):
    _no_parsing(monkeypatch)
    data = b"a" * (settings.GRIDGOV_MAX_UPLOAD_BYTES + 1)
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", data, "p.csv", actor=grid_worker)
    assert "20 MB" in exc.value.message_dict["file"][0]
    assert uploads.max_upload_bytes() == settings.GRIDGOV_MAX_UPLOAD_BYTES


def test_upload_view_refuses_a_large_file_before_reading_it(client_as, grid_worker, settings,
                                                            monkeypatch):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 1024
    _no_parsing(monkeypatch)
    monkeypatch.setattr(importers, "run_import", lambda *a, **k: pytest.fail("file read"))
    upload = SimpleUploadedFile("p.csv", b"x" * 2048, content_type="text/csv")
    response = client_as(grid_worker).post(reverse("basedata:import"),
                                           {"kind": "people", "file": upload})
    assert response.status_code == 400
    assert "单个文件不能超过 1 KB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_command_refuses_a_large_file(db, tmp_path, settings, monkeypatch):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 100
    _no_parsing(monkeypatch)
    path = tmp_path / "p.csv"
    path.write_bytes(b"x" * 200)
    with pytest.raises(CommandError) as exc:
        call_command("basedata", "import", "people", str(path))
    assert "大小上限" in str(exc.value)
    assert exc.value.returncode != 0


# --- rows -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_file_over_the_row_limit_is_refused_with_the_limit(fmt, settings, grid_worker,
                                                           gulou_grid, id_number):
    settings.GRIDGOV_MAX_IMPORT_ROWS = 5
    rows = [[f"人{i}", id_number(), "户籍人口", gulou_grid.code] for i in range(6)]
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    people = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", data, f"p.{fmt}", actor=grid_worker)
    message = exc.value.message_dict["file"][0]
    assert "行数上限" in message and "最多导入 5 行" in message
    assert not ImportBatch.objects.exists() and Person.objects.count() == people


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exactly_the_row_limit_is_imported(fmt, settings, grid_worker, gulou_grid, id_number):
    settings.GRIDGOV_MAX_IMPORT_ROWS = 5
    rows = [[f"人{i}", id_number(), "户籍人口", gulou_grid.code] for i in range(5)]
    # Blank rows are skipped and do not count.
    rows[2:2] = [["", "", "", ""]] * 3
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    batch = importers.run_import("people", data, f"p.{fmt}", actor=grid_worker)
    assert batch.total_rows == 5 and batch.created_rows == 5


def test_reading_stops_at_the_first_row_over_the_limit(settings, monkeypatch):
    settings.GRIDGOV_MAX_IMPORT_ROWS = 10
    seen = []

    class Counting(list):
        def __iter__(self):
            for row in super().__iter__():
                seen.append(row)
                yield row

    rows = Counting([["甲", "", "", "g"]] * 1000)
    monkeypatch.setattr(importers, "_csv_rows",
                        lambda data: (HEADER, iter(rows), lambda v: (v or "").strip()),
                        raising=False)
    with pytest.raises(importers.ImportFileError, match="最多导入 10 行"):
        importers.read_table(b"x", "p.csv")
    assert len(seen) == 11


def test_default_row_limit_refuses_a_large_sheet_quickly(grid_worker):
    # The probe of issue 9: a small XLSX of many rows held a worker for 49 s and 240 MB.
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for i in range(20_001):
        sheet.append([f"人{i}", "", "户籍人口", "G"])
    buf = io.BytesIO()
    book.save(buf)
    start = time.monotonic()
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", buf.getvalue(), "big.xlsx", actor=grid_worker)
    assert "最多导入 20000 行" in exc.value.message_dict["file"][0]
    assert time.monotonic() - start < 15
    assert not ImportBatch.objects.exists()
    assert importers.max_import_rows() == 20_000


def test_a_sheet_of_blank_rows_is_refused(settings, grid_worker):
    settings.GRIDGOV_MAX_IMPORT_ROWS = 10
    data = _csv([["", "", "", ""]] * 1021)
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", data, "p.csv", actor=grid_worker)
    assert "空行过多" in exc.value.message_dict["file"][0]


def test_a_sheet_declaring_a_huge_range_is_read_only_as_wide_as_its_header(grid_worker,
                                                                          gulou_grid,
                                                                          id_number):
    # A cell far to the right and far down: read-only mode would pad every row to it.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["宽表", id_number(), "户籍人口", gulou_grid.code])
    sheet.cell(row=2, column=16000, value="远")
    buf = io.BytesIO()
    book.save(buf)
    batch = importers.run_import("people", buf.getvalue(), "p.xlsx", actor=grid_worker)
    assert batch.created_rows == 1


# --- zip bombs ------------------------------------------------------------------------------


def test_zip_bomb_xlsx_is_refused_before_it_is_opened(settings, monkeypatch, grid_worker,
                                                      gulou_grid, id_number):
    settings.GRIDGOV_MAX_IMPORT_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    data = _bomb(_xlsx([["甲", id_number(), "户籍人口", gulou_grid.code]]), 8 * 1024 * 1024)
    assert len(data) < settings.GRIDGOV_MAX_UPLOAD_BYTES // 100
    monkeypatch.setattr(openpyxl, "load_workbook",
                        lambda *a, **k: pytest.fail("the workbook was opened"))
    people = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        importers.run_import("people", data, "bomb.xlsx", actor=grid_worker)
    message = exc.value.message_dict["file"][0]
    assert "解压后超过 4 MB" in message
    assert not ImportBatch.objects.exists() and Person.objects.count() == people


def test_zip_bomb_over_the_default_limit_is_refused(grid_worker, gulou_grid, id_number):
    data = _bomb(_xlsx([["甲", id_number(), "户籍人口", gulou_grid.code]]), 101 * 1024 * 1024)
    assert len(data) < 1024 * 1024
    with pytest.raises(ValidationError, match="解压后超过 100 MB"):
        importers.run_import("people", data, "bomb.xlsx", actor=grid_worker)
    assert uploads.max_uncompressed_bytes() == 100 * 1024 * 1024


def test_a_damaged_xlsx_is_a_file_error(grid_worker):
    with pytest.raises(ValidationError, match="无法读取 Excel"):
        importers.run_import("people", b"PK\x03\x04 not a zip", "p.xlsx", actor=grid_worker)


# --- the reject report ----------------------------------------------------------------------


def test_reject_report_keeps_the_first_thousand_rows_and_counts_the_rest(grid_worker,
                                                                         gulou_grid):
    rows = [["", "", "户籍人口", gulou_grid.code, "x" * 5000] for _ in range(1200)]
    data = _csv(rows, header=[*HEADER, "居住地址"])
    batch = importers.run_import("people", data, "p.csv", actor=grid_worker)
    assert batch.total_rows == 1200 and batch.rejected_rows == 1200
    table = list(csv.reader(io.StringIO(importers.report_csv(batch))))
    assert table[0][0] == "行号"
    listed = [r for r in table[1:] if r[0]]
    assert [int(r[0]) for r in listed] == list(range(2, 1002))
    assert "另有 200 行被拒绝" in table[-1][1] and "共 1200 行" in table[-1][1]
    # Long cells are cut, so the stored report stays small (the probe stored 30 MB).
    assert all(len(cell) <= importers.REPORT_CELL_MAX + 1 for r in listed for cell in r)
    assert len(batch.report) < 1_500_000
    assert uploads.report_max_rows() == 1000


def test_reject_report_cap_is_a_setting(settings, grid_worker, gulou_grid):
    settings.GRIDGOV_IMPORT_REPORT_MAX_ROWS = 3
    data = _csv([["", "", "户籍人口", gulou_grid.code]] * 5)
    batch = importers.run_import("people", data, "p.csv", actor=grid_worker)
    table = list(csv.reader(io.StringIO(importers.report_csv(batch))))
    assert [r[0] for r in table[1:-1]] == ["2", "3", "4"]
    assert "另有 2 行被拒绝" in table[-1][1]
    assert batch.rejected_rows == 5


def test_short_report_is_unchanged_and_formula_safe(grid_worker, gulou_grid, id_number):
    data = _csv([["=HYPERLINK(\"http://x\")", "123", "户籍人口", gulou_grid.code],
                 ["好人", id_number(), "户籍人口", gulou_grid.code]])
    batch = importers.run_import("people", data, "p.csv", actor=grid_worker)
    assert batch.created_rows == 1 and batch.rejected_rows == 1
    table = list(csv.reader(io.StringIO(importers.report_csv(batch))))
    assert len(table) == 2 and table[1][0] == "2"
    assert table[1][1].startswith("'=") and "另有" not in importers.report_csv(batch)


# --- normal imports -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_normal_import_is_unchanged(fmt, client_as, grid_worker, gulou_grid, id_number):
    rows = [["甲", id_number(), "户籍人口", gulou_grid.code],
            ["乙", "123", "户籍人口", gulou_grid.code]]
    data = _csv(rows) if fmt == "csv" else _xlsx(rows)
    upload = SimpleUploadedFile(f"p.{fmt}", data)
    response = client_as(grid_worker).post(reverse("basedata:import"),
                                           {"kind": "people", "file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert (batch.total_rows, batch.created_rows, batch.rejected_rows) == (2, 1, 1)
    assert "身份证号应为18位" in importers.report_csv(batch)


def test_csv_rows_shorter_or_longer_than_the_header(grid_worker, gulou_grid, id_number):
    text = ("姓名,身份证号,户籍类型,网格编码\n"
            f"甲,{id_number()},户籍人口,{gulou_grid.code},多余\n"
            "乙,123\n")
    batch = importers.run_import("people", text.encode(), "p.csv", actor=grid_worker)
    assert (batch.total_rows, batch.created_rows, batch.rejected_rows) == (2, 1, 1)
