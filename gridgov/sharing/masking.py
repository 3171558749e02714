"""Masking of shared values (PIPL, minimum necessary): the shapes every page uses.

An 18-character ID number keeps its first 6 and last 4 characters (330203********1234), a
mobile number its first 3 and last 4 (138****5678); any other value keeps its first and last
character. ``None`` stays ``None``.
"""

import re

from gridgov.accounts.actions import mask_phone

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def mask_id_number(value: str) -> str:
    """330203********1234."""
    value = value or ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_value(value):
    """The masked form of one field value, chosen by its shape."""
    if value is None:
        return None
    text = str(value)
    if ID_NUMBER_RE.match(text):
        return mask_id_number(text)
    if MOBILE_RE.match(text):
        return mask_phone(text)
    if len(text) <= 1:
        return "*" * len(text)
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]
