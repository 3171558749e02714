"""Checks shared by the data resource centre's verbs: who (department staff holding a
permission for their department's work) and the shape of catalog input."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from gridgov.core.access import require

from .choices import FieldType, SharingType
from .models import Grant
from .permissions import PUBLISH, REQUEST

FIELD_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


def staff_scope(actor, perm=REQUEST):
    """The scope of department staff holding ``perm`` for their department's work, else
    refuse (a person, never the system)."""
    scope = require(actor, perm, allow_system=False)
    if scope.department_id is None:
        raise PermissionDenied(_("只有部门工作人员可以执行此操作。"))
    if not scope.department_can(perm):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    return scope


def require_publisher(actor, department, perm=PUBLISH):
    """Staff of the provider holding ``perm`` (its data officer or department administrator
    by default), or the system loader."""
    if actor is None:
        return None
    scope = staff_scope(actor, perm)
    if scope.department_id != department.pk:
        raise PermissionDenied(_("只有提供部门的数据专员或部门管理员可以执行此操作。"))
    return scope


def actor_user(actor):
    """The user to store as author (None for the system or an API client)."""
    return actor if isinstance(getattr(actor, "pk", None), int) else None


def text(value, field, *, required=True, max_length=None) -> str:
    """A stripped text input, required and bounded as said."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not value:
        raise ValidationError({field: _("此项为必填项。")})
    if max_length and len(value) > max_length:
        raise ValidationError({field: _("不能超过 %(n)d 个字符。") % {"n": max_length}})
    return value


def choice(value, choices, field):
    """One value of a TextChoices, else a ValidationError on ``field``."""
    if value not in choices.values:
        raise ValidationError({field: _("无效的选项:%(value)s。") % {"value": value}})
    return value


def digits(value, n, field, *, required=True):
    """Exactly ``n`` digits (a classification code)."""
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not re.fullmatch(rf"\d{{{n}}}", value):
        raise ValidationError({field: _("应为 %(n)d 位数字。") % {"n": n}})
    return value


def string_list(values, field, *, max_length=50):
    if isinstance(values, str):
        values = [v for v in re.split(r"[,,\s]+", values) if v]
    out = []
    for value in values or ():
        value = str(value).strip()
        if not value:
            continue
        if len(value) > max_length:
            raise ValidationError({field: _("每项不能超过 %(n)d 个字符。") % {"n": max_length}})
        if value not in out:
            out.append(value)
    return out


def clean_fields(fields) -> list[dict]:
    if not fields:
        raise ValidationError({"fields": _("至少需要一个数据项。")})
    out, seen = [], set()
    for spec in fields:
        name = str(spec.get("name", "")).strip()
        if not FIELD_NAME_RE.match(name):
            raise ValidationError({"fields": _(
                "字段名“%(name)s”无效:小写字母开头,只含小写字母、数字和下划线。"
            ) % {"name": name}})
        if name in seen:
            raise ValidationError({"fields": _("字段名“%(name)s”重复。") % {"name": name}})
        seen.add(name)
        label = str(spec.get("label", "")).strip()
        if not label:
            raise ValidationError({"fields": _("字段“%(name)s”缺少中文名。") % {"name": name}})
        ftype = spec.get("type", FieldType.STRING)
        if ftype not in FieldType.values:
            raise ValidationError({"fields": _("字段“%(name)s”的数据类型无效。") % {"name": name}})
        out.append({"name": name, "label": label[:100], "type": ftype,
                    "sensitive": bool(spec.get("sensitive", False))})
    return out


def validate_sharing(sharing_type, sharing_condition, legal_basis):
    if sharing_type == SharingType.NOT_SHARED and not legal_basis:
        raise ValidationError({"legal_basis": _(
            "不予共享的资源必须注明法律、行政法规或国家政策依据。")})
    if sharing_type == SharingType.CONDITIONAL and not sharing_condition:
        raise ValidationError({"sharing_condition": _("有条件共享的资源必须说明共享条件。")})


GRANT_AXIS = "sharing.granted_resources"


def granted_resource_ids(scope) -> list[int]:
    """The scope's grant axis: ids of the resources its department holds an active grant on
    (registered in ``SharingConfig.ready``; read with ``scope.axis(GRANT_AXIS)``)."""
    if not scope.department_id:
        return []
    return list(Grant.objects.active().filter(consumer_id=scope.department_id)
                .values_list("resource_id", flat=True))
