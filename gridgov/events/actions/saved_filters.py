"""Saved searches of 案件查询 (save, rename, delete); a search's export is audited by
``exports.record_export``.

A saved filter belongs to one person: only its owner reads or changes it
(``SavedFilter.restrict_q``). Its query is normalised to the search page's own parameters
(unknown ones and the page number dropped, sorted), so saving the same search twice under
one name changes nothing.
"""

from urllib.parse import parse_qsl, urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require

from ..models import SavedFilter

NAME_MAX = 40
QUERY_MAX = 1000
PER_PERSON = 50
# The parameters a saved search keeps: the event filters and the sort order.
EXTRA_PARAMS = ("sort",)


def normalise_query(query: str, allowed) -> str:
    """``query`` with only ``allowed`` parameters and non-empty values, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False)
             if k in set(allowed) | set(EXTRA_PARAMS) and v.strip()]
    return urlencode(sorted(pairs))


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("名称不能超过 %(n)d 个字。") % {"n": NAME_MAX}})
    return name


def _check_query(query: str) -> str:
    if len(query) > QUERY_MAX:
        raise ValidationError({"query": _("查询条件过长。")})
    return query


def _on_own(saved, actor, change):
    """``change(row)`` on the actor's own saved search, locked, in one transaction (anyone
    else's is "not found"): the one path of renaming and deleting."""
    require(actor, "events.view")
    with transaction.atomic():
        row = (SavedFilter.objects.restrict(actor, "change").select_for_update()
               .filter(pk=saved.pk).first())
        if row is None:
            raise PermissionDenied(_("没有这个保存的查询。"))
        return change(row)


def save_filter(*, actor, name, query, allowed) -> SavedFilter:
    """Save the current search under ``name`` (the same name again replaces its query)."""
    require(actor, "events.view")
    name = _clean_name(name)
    query = _check_query(normalise_query(query, allowed))
    with transaction.atomic():
        existing = (SavedFilter.objects.select_for_update()
                    .filter(owner=actor, name=name).first())
        if existing is not None:
            if existing.query == query:
                return existing
            before = {"query": existing.query}
            existing.query = query
            existing.updated_at = timezone.now()
            existing.save(update_fields=["query", "updated_at"])
            record("events.saved_filter_update", actor=actor, obj=existing, before=before,
                   after={"query": query})
            return existing
        if SavedFilter.objects.filter(owner=actor).count() >= PER_PERSON:
            raise ValidationError({"name": _("最多保存 %(n)d 个查询,请先删除不用的。")
                                   % {"n": PER_PERSON}})
        saved = SavedFilter.objects.create(owner=actor, name=name, query=query)
        record("events.saved_filter_create", actor=actor, obj=saved, new_chain=True,
               after={"name": name, "query": query})
    return saved


def rename_filter(saved, *, actor, name) -> SavedFilter:
    """Give a saved search another name (not one the owner already uses)."""

    def rename(row):
        new_name = _clean_name(name)
        if row.name == new_name:
            return row
        if SavedFilter.objects.filter(owner=actor, name=new_name).exclude(pk=row.pk).exists():
            raise ValidationError({"name": _("已有同名的查询。")})
        before = {"name": row.name}
        row.name = new_name
        row.updated_at = timezone.now()
        row.save(update_fields=["name", "updated_at"])
        record("events.saved_filter_rename", actor=actor, obj=row, before=before,
               after={"name": new_name})
        return row

    return _on_own(saved, actor, rename)


def delete_filter(saved, *, actor) -> None:
    """Delete one of the actor's saved searches."""

    def delete(row):
        record("events.saved_filter_delete", actor=actor, obj=row,
               before={"name": row.name, "query": row.query})
        row.delete()

    _on_own(saved, actor, delete)
