import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gridgov.basedata import validators
from gridgov.demo.basedata import make_id_number, make_uscc


def test_valid_id_number_derives_birth_date_and_sex():
    number = make_id_number(dt.date(1950, 6, 1), 7, female=True)
    normalised, birth, sex = validators.validate_id_number(number.lower())
    assert normalised == number
    assert birth == dt.date(1950, 6, 1)
    assert sex == "F"
    _n, _b, sex = validators.validate_id_number(make_id_number(dt.date(1990, 1, 2), 8, False))
    assert sex == "M"


def test_bad_check_character_is_rejected_with_the_expected_one():
    number = make_id_number(dt.date(1970, 5, 5), 3, False)
    wrong = "0" if number[-1] != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_number(number[:-1] + wrong)
    assert exc.value.code == "checksum"
    assert f"末位应为 {number[-1]}" in exc.value.messages[0]


@pytest.mark.parametrize("value, code", [
    ("33020319800101123", "length"),
    ("3302031980010112AB", "format"),
])
def test_malformed_id_numbers(value, code):
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_number(value)
    assert exc.value.code == code


def test_impossible_birth_date_is_rejected():
    body = "33020319801345123"
    from stdnum.cn import ric

    with pytest.raises(ValidationError) as exc:
        # calc_check_digit takes all 18 characters and ignores the last: pad the body.
        validators.validate_id_number(body + ric.calc_check_digit(body + "0"))
    assert exc.value.code == "birth_date"


def test_uscc_validation():
    code = make_uscc(42)
    assert validators.validate_uscc(code.lower()) == code
    wrong = "0" if code[-1] != "0" else "1"
    with pytest.raises(ValidationError) as exc:
        validators.validate_uscc(code[:-1] + wrong)
    assert exc.value.code == "checksum"
    assert f"末位应为 {code[-1]}" in exc.value.messages[0]
    assert validators.validate_uscc("91110000600037341L") == "91110000600037341L"


def test_mobile_numbers():
    assert validators.validate_mobile("+86 139-1234-5678") == "13912345678"
    for bad in ("12912345678", "1391234567", "abc"):
        with pytest.raises(ValidationError):
            validators.validate_mobile(bad)


def test_component_code_shape(settings):
    assert validators.component_prefix("01", "02") == "3302030102"
    settings.GRIDGOV_COMPONENT_CODE = {"county": "330203", "minor_digits": 3}
    assert validators.component_prefix("01", "02") == "33020301002"
    with pytest.raises(ValidationError):
        validators.component_prefix("99", "01")
