"""Template filters that show a record's change log and field provenance in words: field
names instead of keys, choice labels and related names instead of codes and ids, local times
instead of the UTC instants stored."""

import datetime as dt

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from gridgov.audit.labels import model_field_label

from ..choices import Source

register = template.Library()


def _shown(model, key: str, value, cache: dict):
    """A stored value as people read it: a choice's label, a related row's name."""
    if value is None or value == "":
        return "—"
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return value
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(field, models.ForeignKey):
        found = (field.related_model, value)
        if found not in cache:
            # Read with the plain manager: the name only, of a row the record already names.
            row = field.related_model._base_manager.filter(pk=value).first()
            cache[found] = str(row) if row is not None else f"#{value}"
        return cache[found]
    return value


@register.filter
def change_rows(changes, obj):
    """``{key: [before, after]}`` of a change record → [(field name, before, after)]."""
    model = type(obj)
    cache: dict = {}
    rows = []
    for key, pair in (changes or {}).items():
        before, after = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None,
                                                                                        pair)
        rows.append((model_field_label(model, key), _shown(model, key, before, cache),
                     _shown(model, key, after, cache)))
    return rows


@register.filter
def field_name(key: str, obj) -> str:
    return model_field_label(type(obj), key)


@register.filter
def source_name(code: str) -> str:
    try:
        return Source(code).label
    except ValueError:
        return code


@register.filter
def local_time(value) -> str:
    """An ISO instant stored as text (UTC) in local time, "2026-12-01 23:34"."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return value
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")
