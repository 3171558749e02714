"""Sheet names Excel accepts, whatever a translated label holds."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from gridgov.core.spreadsheet import sheet_title


@pytest.mark.parametrize("label, expected", [
    ("Street / town", "Street - town"),
    ("社区", "社区"),
    ("a[b]c:d*e?f\\g", "a-b-c-d-e-f-g"),
    ("x" * 40, "x" * 31),
    ("'", "Sheet"),
    ("", "Sheet"),
])
def test_sheet_title_is_accepted_by_openpyxl(label, expected):
    assert sheet_title(label) == expected
    book = Workbook()
    book.create_sheet(title=sheet_title(label))
    buffer = io.BytesIO()
    book.save(buffer)
    assert expected in load_workbook(buffer).sheetnames


def test_a_slash_is_refused_without_it():
    with pytest.raises(ValueError):
        Workbook().create_sheet(title="Street / town")
