"""Conditions are data: ``[{"fact": "age", "op": ">=", "value": 80}, ...]``.

``clean_conditions`` checks a list against the registry (the fact exists for the subject, the
operator suits the fact's type, the value has the right type) and returns it normalised;
``compile_q`` turns it into one ``Q`` over the subject's queryset annotated with the facts
(``annotate``). Nothing is evaluated as code: each operator maps to a Django lookup.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import registry

EMPTY, NOT_EMPTY, IN, HAS_TAG, NOT_HAS_TAG = "is empty", "is not empty", "in", "has tag", \
    "not has tag"

OPERATOR_LABELS = {
    "=": gettext_lazy("等于"),
    "!=": gettext_lazy("不等于"),
    "<": gettext_lazy("小于"),
    "<=": gettext_lazy("小于等于"),
    ">": gettext_lazy("大于"),
    ">=": gettext_lazy("大于等于"),
    IN: gettext_lazy("属于其中之一"),
    EMPTY: gettext_lazy("为空"),
    NOT_EMPTY: gettext_lazy("不为空"),
    HAS_TAG: gettext_lazy("带有标签"),
    NOT_HAS_TAG: gettext_lazy("没有标签"),
}
OPERATOR_SIGNS = {"=": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}

# Which operators each fact type accepts.
OPERATORS = {
    "int": ("=", "!=", "<", "<=", ">", ">=", IN, EMPTY, NOT_EMPTY),
    "date": ("=", "!=", "<", "<=", ">", ">=", EMPTY, NOT_EMPTY),
    "str": ("=", "!=", IN, EMPTY, NOT_EMPTY),
    "choice": ("=", "!=", IN, EMPTY, NOT_EMPTY),
    "bool": ("=", "!="),
    "tag": (HAS_TAG, NOT_HAS_TAG),
}
LOOKUPS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte", IN: "in"}
MAX_CONDITIONS = 20
MAX_IN_VALUES = 200


def _fail(index, field, message):
    raise ValidationError({f"conditions.{index}.{field}": message,
                           "conditions": _("第 %(n)d 个条件:%(m)s") % {"n": index + 1,
                                                                    "m": message}})


def _choice_values(spec) -> list:
    return [str(value) for value, _label in (spec.choices() if spec.choices else [])]


def _one_value(spec, raw, index):
    """One value of ``spec``'s type, or a ValidationError naming the condition's value."""
    kind = spec.type
    if kind == "int":
        if isinstance(raw, bool):
            _fail(index, "value", _("请填写整数。"))
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and raw.strip().lstrip("-").isdigit():
            return int(raw.strip())
        _fail(index, "value", _("请填写整数。"))
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "是"):
            return True
        if text in ("false", "0", "no", "否"):
            return False
        _fail(index, "value", _("请选择“是”或“否”。"))
    if kind == "date":
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            _fail(index, "value", _("请填写日期,例如 2026-12-01。"))
    text = str(raw if raw is not None else "").strip()
    if not text:
        _fail(index, "value", _("请填写条件的值。"))
    if len(text) > 100:
        _fail(index, "value", _("值不能超过 100 个字。"))
    if kind in ("choice", "tag") and spec.choices is not None:
        if text not in _choice_values(spec):
            _fail(index, "value", _("“%(v)s”不是可选的值。") % {"v": text})
    return text


def clean_conditions(subject: str, conditions) -> list[dict]:
    """The conditions, checked against the registry and normalised (ValidationError with
    ``conditions.<n>.fact|op|value`` otherwise)."""
    if conditions in (None, ""):
        conditions = []
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": _("条件须为列表。")})
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": _("条件不能超过 %(n)d 个。") % {"n": MAX_CONDITIONS}})
    facts = registry.facts(subject)
    cleaned = []
    for index, condition in enumerate(conditions):
        if not isinstance(condition, dict):
            _fail(index, "fact", _("条件须包含 fact、op、value。"))
        code = condition.get("fact")
        spec = facts.get(code) if isinstance(code, str) else None
        if spec is None:
            _fail(index, "fact", _("没有这个数据项:%(f)s。") % {"f": code})
        op = condition.get("op")
        if op not in OPERATORS[spec.type]:
            _fail(index, "op", _("“%(f)s”不能使用运算“%(o)s”。") % {"f": spec.label, "o": op})
        raw = condition.get("value")
        if op in (EMPTY, NOT_EMPTY):
            value = None
        elif op == IN:
            items = raw if isinstance(raw, list) else [
                part for part in str(raw or "").replace(",", ",").split(",") if part.strip()]
            if not items:
                _fail(index, "value", _("请至少填写一个值(以逗号分隔)。"))
            if len(items) > MAX_IN_VALUES:
                _fail(index, "value", _("值不能超过 %(n)d 个。") % {"n": MAX_IN_VALUES})
            value = [_one_value(spec, item, index) for item in items]
        else:
            value = _one_value(spec, raw, index)
        cleaned.append({"fact": code, "op": op, "value": value})
    return cleaned


def used_facts(conditions) -> list[str]:
    """The fact codes the conditions use, in order, once each."""
    return list(dict.fromkeys(c["fact"] for c in conditions))


def annotate(queryset, subject: str, codes, today: dt.date):
    """The subject's queryset with the annotations of ``codes`` (facts of type ``tag`` have
    none: their condition is an EXISTS)."""
    facts = registry.facts(subject)
    for code in codes:
        spec = facts[code]
        if spec.annotate is not None:
            queryset = spec.annotate(queryset, today)
    return queryset


def condition_q(condition: dict, subject: str, today: dt.date) -> Q:
    """One condition as a Q over the annotated queryset."""
    spec = registry.facts(subject)[condition["fact"]]
    op, value = condition["op"], condition["value"]
    field = spec.field or spec.code
    if spec.type == "tag":
        q = spec.condition(value, today)
        return ~q if op == NOT_HAS_TAG else q
    if op == EMPTY:
        return Q(**{f"{field}__isnull": True})
    if op == NOT_EMPTY:
        return Q(**{f"{field}__isnull": False})
    if op == "!=":
        return ~Q(**{field: value})
    return Q(**{f"{field}__{LOOKUPS[op]}": value})


def compile_q(conditions, subject: str, match: str, today: dt.date) -> Q:
    """All (``match="all"``) or any (``"any"``) of the conditions as one Q (no condition:
    every subject)."""
    qs = [condition_q(c, subject, today) for c in conditions]
    if not qs:
        return Q()
    combined = qs[0]
    for q in qs[1:]:
        combined = (combined | q) if match == "any" else (combined & q)
    return combined


def describe_condition(condition: dict, subject: str) -> str:
    """A condition as a sentence: 年龄 ≥ 80."""
    spec = registry.facts(subject).get(condition["fact"])
    label = spec.label if spec else condition["fact"]
    op, value = condition["op"], condition["value"]
    if spec is not None and spec.type == "choice" and spec.choices and value is not None:
        names = dict(spec.choices())
        value = ([names.get(v, v) for v in value] if isinstance(value, list)
                 else names.get(value, value))
    if op in (EMPTY, NOT_EMPTY, HAS_TAG, NOT_HAS_TAG, IN):
        shown = "、".join(map(str, value)) if isinstance(value, list) else (value or "")
        return f"{label} {OPERATOR_LABELS[op]} {shown}".strip()
    if spec and spec.type == "bool":
        value = _("是") if value else _("否")
    unit = spec.unit if spec else ""
    return f"{label} {OPERATOR_SIGNS[op]} {value}{unit}"
