"""Administrator-edited word lists: the moderation lexicon and the keyword dictionary.

Both keep rows of ``term`` plus a kind, a note and an on/off switch, refuse a second row with
the same term, audit every change and move a revision counter so that every process rebuilds
its matcher. The two differ only in how a term and its kind are checked, so the verbs take
those as ``cleaners`` (field name → function returning the clean value or raising
``ValidationError`` naming the field).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record, snapshot


def _clean_note(note) -> str:
    return (note or "").strip()[:200]


def _unique(model: type[models.Model], term: str, exclude_pk=None) -> None:
    rows = model.objects.filter(term=term)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise ValidationError({"term": _("该词条已存在。")})


def create_word(model: type[models.Model], *, values: dict, cleaners: dict[str, Callable],
                fields: tuple, action: str, actor, changed: Callable[[], None]):
    """Insert one word (values cleaned, the term unique), audited as ``action``."""
    clean = {name: cleaners.get(name, _identity)(value) for name, value in values.items()}
    if "note" in clean:
        clean["note"] = _clean_note(clean["note"])
    with transaction.atomic():
        _unique(model, clean["term"])
        row = model.objects.create(**clean)
        record(action, actor=actor, obj=row, after=snapshot(row, fields))
        changed()
    return row


def update_word(row: models.Model, *, changes: dict, cleaners: dict[str, Callable],
                fields: tuple, action: str, actor, changed: Callable[[], None]):
    """Change a word's fields (only those in ``fields``); audited only if something changed."""
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("不能修改此项。")})
    model = type(row)
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=row.pk)
        before = snapshot(row, fields)
        for name, value in changes.items():
            if name == "note":
                value = _clean_note(value)
            elif name == "is_active":
                value = bool(value)
            else:
                value = cleaners.get(name, _identity)(value)
            if name == "term":
                _unique(model, value, exclude_pk=row.pk)
            setattr(row, name, value)
        after = snapshot(row, fields)
        if before != after:
            row.updated_at = timezone.now()
            row.save()
            record(action, actor=actor, obj=row, before=before, after=after)
            changed()
    return row


def _identity(value):
    return value
