"""ID validation against published test vectors of GB 11643 (居民身份证号) and GB 32100
(统一社会信用代码), cross-checked with an independent implementation of each check, and the
``gridgov basedata check_ids`` command that finds stored numbers failing the real check.

The earlier validator passed 17 characters to ``stdnum.cn.ric.calc_check_digit``, which takes
all 18 and drops the last itself: it refused the standard's own example and accepted numbers
such as 110101199003074470. Every vector here fails under that rule.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from stdnum.cn import ric, uscc

from gridgov.basedata import actions, validators
from gridgov.basedata.models import Organisation, Person
from gridgov.core import personal_data
from gridgov.demo.basedata import legacy_id_number, make_id_number, make_uscc

# --- independent implementations of the two checks -------------------------------------------


def iso7064_mod11_2(body17: str) -> str:
    """GB 11643-1999 §7: ISO 7064 MOD 11-2 over the 17 body digits, weights 2^(17-i) mod 11."""
    assert len(body17) == 17 and body17.isdigit()
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(body17))
    return "10X98765432"[total % 11]


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def gb32100_mod31(body17: str) -> str:
    """GB 32100-2015 §5: weights 3^i mod 31, check = 31 - (sum mod 31), 31 written as 0."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# --- GB 11643 -----------------------------------------------------------------------------

# (number, birth date, sex) of published valid numbers: GB 11643-1999 §8's example of a woman
# of 北京市朝阳区, and python-stdnum's documented example.
VALID_IDS = [
    ("11010519491231002X", dt.date(1949, 12, 31), "F"),
    ("360426199101010071", dt.date(1991, 1, 1), "M"),
]
# GB 11643-1999 §8's other example (a man of 广东省汕头市潮阳县 born 1880): right check
# character, refused only for the birth date before 1890.
GB11643_1880_EXAMPLE = "440524188001010014"


@pytest.mark.parametrize("number", [n for n, _b, _s in VALID_IDS] + [GB11643_1880_EXAMPLE])
def test_published_ids_have_the_check_character_of_both_implementations(number):
    assert iso7064_mod11_2(number[:17]) == number[17]
    assert validators.expected_id_check(number) == number[17]
    # The old call, 17 characters to stdnum, disagrees: that was the bug.
    assert ric.calc_check_digit(number[:17]) != number[17]


@pytest.mark.parametrize("number, birth, sex", VALID_IDS)
def test_published_valid_id_numbers_are_accepted(number, birth, sex):
    assert validators.validate_id_number(number) == (number, birth, sex)
    assert validators.validate_id_number(number.lower()) == (number, birth, sex)
    assert validators.validate_id_number(f" {number[:6]} {number[6:]} ")[0] == number


def test_the_standards_own_example_is_accepted():
    assert validators.validate_id_number("11010519491231002X")[0] == "11010519491231002X"
    assert validators.id_number_problem("11010519491231002x") is None


def test_the_1880_example_fails_only_on_the_birth_date():
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_number(GB11643_1880_EXAMPLE)
    assert exc.value.code == "birth_date"


def test_an_invalid_number_is_refused_naming_the_expected_character():
    assert iso7064_mod11_2("11010119900307447") == "7"
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_number("110101199003074470")
    assert exc.value.code == "checksum"
    assert exc.value.messages[0] == "身份证号校验位错误:末位应为 7(GB 11643)。"
    assert validators.validate_id_number("110101199003074477")[0] == "110101199003074477"


@pytest.mark.parametrize("number", ["11010519491231002X", "360426199101010071"])
def test_every_other_check_character_is_refused(number):
    for wrong in "0123456789X":
        if wrong == number[17]:
            continue
        with pytest.raises(ValidationError) as exc:
            validators.validate_id_number(number[:17] + wrong)
        assert exc.value.code == "checksum"
        assert f"末位应为 {number[17]}" in exc.value.messages[0]


def test_a_changed_body_digit_is_refused():
    """MOD 11-2 catches every single-digit substitution in the body."""
    number = "11010519491231002X"
    for i in range(17):
        for d in "0123456789":
            if d == number[i]:
                continue
            changed = number[:i] + d + number[i + 1:]
            assert validators.id_number_problem(changed) is not None, changed


def test_non_ascii_digits_are_a_format_error():
    with pytest.raises(ValidationError) as exc:
        validators.validate_id_number("１１010519491231002X")
    assert exc.value.code == "format"


@pytest.mark.parametrize("birth, seq, female", [
    (dt.date(1936, 1, 1), 1, False), (dt.date(1949, 12, 31), 13, True),
    (dt.date(1985, 3, 14), 401, False), (dt.date(2024, 2, 28), 499, True),
])
def test_generated_numbers_pass_the_real_check(birth, seq, female):
    number = make_id_number(birth, seq, female)
    assert iso7064_mod11_2(number[:17]) == number[17]
    # (ric.is_valid also checks the region code against the birth year, which the validator
    # does not: a resident keeps the code of a county renamed or merged since.)
    assert ric.calc_check_digit(number) == number[17]
    assert validators.validate_id_number(number)[1:] == (birth, "F" if female else "M")


def test_every_generated_number_of_a_range_passes():
    for seq in range(1, 1000):
        number = make_id_number(dt.date(1960, 1, 1) + dt.timedelta(days=seq * 17), seq,
                                bool(seq % 2))
        assert iso7064_mod11_2(number[:17]) == number[17], number


# --- GB 32100 -----------------------------------------------------------------------------

# GB 32100-2015's example, and python-stdnum's documented example.
VALID_USCCS = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", VALID_USCCS)
def test_published_credit_codes_are_accepted(code):
    assert gb32100_mod31(code[:17]) == code[17]
    assert uscc.is_valid(code)
    assert validators.expected_uscc_check(code) == code[17]
    assert validators.validate_uscc(code.lower()) == code


def test_a_wrong_credit_code_check_character_is_named():
    with pytest.raises(ValidationError) as exc:
        validators.validate_uscc("91350100M000100Y40")
    assert exc.value.code == "checksum"
    assert exc.value.messages[0] == "统一社会信用代码校验位错误:末位应为 3(GB 32100)。"


def test_generated_credit_codes_pass_the_real_check():
    for n in range(1, 300):
        code = make_uscc(n)
        assert gb32100_mod31(code[:17]) == code[17], code
        assert validators.validate_uscc(code) == code


# --- gridgov basedata check_ids -------------------------------------------------------------


def _store_unchecked(person, number):
    """Write a number as an import of an earlier version would have, bypassing the check."""
    Person.objects.filter(pk=person.pk).update(
        id_number_enc=personal_data.encrypt(number, "id_number"),
        id_hash=personal_data.lookup_hash(number),
        id_masked=personal_data.mask_id_number(number))


@pytest.mark.django_db
def test_check_ids_passes_on_the_demo_data(capsys):
    assert Person.objects.exists() and Organisation.objects.exists()
    call_command("basedata", "check_ids")
    out = capsys.readouterr().out
    assert ", 0 failing" in out
    assert f"{Person.objects.exclude(id_number_enc='').count()} ID numbers" in out


@pytest.mark.django_db
def test_check_ids_reports_failing_records_masked(person, person2, gulou_grid, capsys):
    _store_unchecked(person, "110101199003074470")
    legacy = legacy_id_number(dt.date(1970, 5, 5), 3, False)
    assert validators.id_number_problem(legacy) is not None
    _store_unchecked(person2, legacy)
    with pytest.raises(CommandError) as exc:
        call_command("basedata", "check-ids")
    assert exc.value.returncode == 1
    assert "2 failing" in str(exc.value)
    out = capsys.readouterr().out
    assert f"person {person.pk}: 110101********4470 身份证号校验位错误:末位应为 7" in out
    assert f"person {person2.pk}: {personal_data.mask_id_number(legacy)}" in out
    assert "110101199003074470" not in out and legacy not in out


@pytest.mark.django_db
def test_check_ids_reports_undecryptable_numbers_and_bad_credit_codes(person, capsys):
    Person.objects.filter(pk=person.pk).update(id_number_enc="v1:not-a-token")
    org = Organisation.objects.order_by("pk").first()
    Organisation.objects.filter(pk=org.pk).update(uscc="91350100M000100Y40")
    with pytest.raises(CommandError) as exc:
        call_command("basedata", "check_ids", "--batch-size", "7")
    assert exc.value.returncode == 1
    assert "2 failing" in str(exc.value)
    out = capsys.readouterr().out
    assert f"person {person.pk}: ? 无法解密" in out
    assert f"organisation {org.pk}:" in out and "末位应为 3" in out
    assert "91350100M000100Y40" not in out


@pytest.mark.django_db
def test_check_ids_after_a_correction_is_clean(person, capsys):
    _store_unchecked(person, "110101199003074470")
    with pytest.raises(CommandError):
        call_command("basedata", "check_ids")
    actions.update_person(Person.objects.get(pk=person.pk), actor=None,
                          id_number="110101199003074477")
    call_command("basedata", "check_ids")
    assert ", 0 failing" in capsys.readouterr().out
