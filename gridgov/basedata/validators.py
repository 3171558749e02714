"""Validation of identifiers: 居民身份证号 (GB 11643), 统一社会信用代码 (GB 32100), mobile
phones, component codes. Each raises ``ValidationError`` with a reason a person can act on."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric, uscc

from .choices import COMPONENT_CLASSES

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> tuple[str, dt.date, str]:
    """(the normalised number, birth date, sex "M"/"F") of a valid 18-character ID number."""
    number = normalise_id_number(value)
    if len(number) != 18:
        raise ValidationError(_("身份证号应为18位,实际为%(n)d位。") % {"n": len(number)},
                              code="length")
    if (not number.isascii() or not number[:17].isdigit()
            or not (number[17].isdigit() or number[17] == "X")):
        raise ValidationError(_("身份证号前17位应为数字,末位为数字或X。"), code="format")
    # stdnum's calc_check_digit takes the whole 18-character number and ignores its last
    # character itself (ISO 7064 MOD 11-2 over the first 17); passing 17 would drop a digit.
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误:末位应为 %(c)s(GB 11643)。") % {"c": expected}, code="checksum")
    try:
        birth = ric.get_birth_date(number)
    except stdnum_exc.ValidationError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date") from None
    if birth > dt.date.today() or birth.year < 1890:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth_date")
    sex = "M" if int(number[16]) % 2 else "F"
    return number, birth, sex


def validate_uscc(value: str) -> str:
    """The normalised 18-character unified social credit code."""
    code = (value or "").strip().replace(" ", "").upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位,实际为%(n)d位。") % {"n": len(code)},
                              code="length")
    try:
        uscc.validate(code)
    except stdnum_exc.InvalidChecksum:
        raise ValidationError(
            _("统一社会信用代码校验位错误:末位应为 %(c)s(GB 32100)。")
            % {"c": expected_uscc_check(code)}, code="checksum") from None
    except stdnum_exc.ValidationError:
        raise ValidationError(_("统一社会信用代码格式不正确(GB 32100)。"), code="format") from None
    return code


def expected_id_check(number: str) -> str:
    """The GB 11643 check character of an 18-character ID number (its own last one ignored)."""
    return ric.calc_check_digit(normalise_id_number(number))


def expected_uscc_check(code: str) -> str:
    """The GB 32100 check character of an 18-character credit code (its own last one ignored).

    stdnum's ``uscc.calc_check_digit`` weighs the first 17 characters only, so passing the
    whole code is what its ``validate`` does too."""
    return uscc.calc_check_digit(code)


def id_number_problem(value: str) -> str | None:
    """None when ``value`` passes ``validate_id_number``, otherwise the reason it does not."""
    try:
        validate_id_number(value)
    except ValidationError as exc:
        return exc.messages[0]
    return None


def validate_mobile(value: str) -> str:
    """An 11-digit mainland mobile number (1[3-9]xxxxxxxxx), '+86'/'86' prefix allowed."""
    phone = re.sub(r"[\s-]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not MOBILE_RE.match(phone):
        raise ValidationError(_("手机号应为以1开头的11位号码。"), code="phone")
    return phone


def component_code_settings() -> dict:
    """settings.GRIDGOV_COMPONENT_CODE: county code (6 digits) and minor-class digits (2 or 3)."""
    conf = {"county": "330203", "minor_digits": 2}
    conf.update(getattr(settings, "GRIDGOV_COMPONENT_CODE", {}) or {})
    return conf


def component_prefix(major: str, minor: str) -> str:
    """The code prefix of a component class: county (6) + major (2) + minor (2 or 3)."""
    conf = component_code_settings()
    if major not in COMPONENT_CLASSES:
        raise ValidationError({"major": _("未知的部件大类编码。")})
    if minor not in COMPONENT_CLASSES[major][1]:
        raise ValidationError({"minor": _("未知的部件小类编码。")})
    return conf["county"] + major + minor.zfill(int(conf["minor_digits"]))


def validate_component_code(code: str) -> str:
    conf = component_code_settings()
    length = 6 + 2 + int(conf["minor_digits"]) + 6
    if len(code) != length or not code.isdigit():
        raise ValidationError(_("部件编码应为%(n)d位数字(县区6+大类2+小类%(m)s+序号6)。")
                              % {"n": length, "m": conf["minor_digits"]}, code="format")
    return code
