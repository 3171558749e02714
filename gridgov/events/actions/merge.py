"""Merging duplicate reports into one event (the command room's duplicate check)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import get_scope

from ..choices import State
from ..models import Event
from .base import no_stage, transition


def merge_events(primary, duplicates, *, actor, remark="") -> Event:
    """Merge duplicate reports into ``primary``: each becomes ``merged`` and points at it.

    A merged event counts once (statistics skip ``merged``); its reporter keeps following
    the primary's progress (notifications look at ``primary.duplicates``).
    """
    duplicates = [d for d in duplicates if d.pk != primary.pk]
    if not duplicates:
        raise ValidationError({"duplicates": _("请选择要合并的重复事件。")})
    scope = get_scope(actor) if actor is not None else None
    with transaction.atomic():
        primary = Event.objects.get(pk=primary.pk)
        if primary.state in (State.MERGED, State.VOID, State.NOT_FILED):
            raise ValidationError({"primary": _("主事件状态不能接收合并。")})
        if actor is not None and not Event.objects.restrict(actor).filter(
                pk=primary.pk).exists():
            raise PermissionDenied(_("该事件不在您的处置范围内。"))
        for duplicate in duplicates:
            if scope is not None and duplicate.area_code[:9] != primary.area_code[:9]:
                raise ValidationError({"duplicates": _("只能合并同一街道的事件。")})
            transition(
                duplicate, "merge", actor=actor, expected_version=None,
                changes_fn=lambda ev: {"state": State.MERGED, "merged_into": primary,
                                       **no_stage()},
                remark=remark, extra_fn=lambda ev: {"primary": primary.number},
                data_fn=lambda ev: {"primary_id": primary.pk})
        record("events.merge_into", actor=actor, obj=primary, changes={
            "duplicates": [None, [d.number for d in duplicates]]}, remark=remark)
    return primary

