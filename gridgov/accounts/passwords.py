"""Password policy beyond Django's validators (等保: complexity)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^A-Za-z0-9]"),
)


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = sum(1 for rx in CLASSES if rx.search(password))
        if found < self.min_classes:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。"),
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {
            "n": self.min_classes
        }


class NotCurrentPasswordValidator:
    """The new password must differ from the current one (setting the same password again
    would defeat a forced change)."""

    def validate(self, password, user=None):
        from django.contrib.auth.hashers import check_password

        encoded = getattr(user, "password", "") if user is not None else ""
        # check_password without a setter: no re-hash is saved as a side effect.
        if encoded and password and check_password(password, encoded):
            raise ValidationError(
                _("新密码不能与当前密码相同。"),
                code="password_unchanged",
            )

    def get_help_text(self):
        return _("新密码不能与当前密码相同。")
