"""Turn what a form or API caller sent (a grid code, an event number, ids) into rows the
caller may see; anything else is a 400 on that field, never a hint that it exists."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.core.querysets import VIEW


def find_target(actor, *, grid="", event="", person=None, house=None) -> dict:
    from gridgov.areas.models import Area
    from gridgov.basedata.models import House, Person
    from gridgov.events.models import Event

    out = {"grid": None, "event": None, "person": None, "house": None}
    grid = (grid or "").strip()
    if grid:
        out["grid"] = Area.objects.filter(code=grid).first()
        if out["grid"] is None:
            raise ValidationError({"grid": _("没有编码为 %(c)s 的网格。") % {"c": grid[:15]}})
    event = (str(event) if event is not None else "").strip()
    if event:
        events = Event.objects.restrict(actor, VIEW).select_related("grid")
        found = events.filter(number=event).first()
        out["event"] = found
        if found is None:
            raise ValidationError({"event": _("没有找到编号为 %(n)s 的事件,或它不在您的辖区内。")
                                   % {"n": event[:20]}})
    for model, key, value in ((Person, "person", person), (House, "house", house)):
        if value in (None, ""):
            continue
        row = model.objects.restrict(actor, VIEW).filter(pk=value).first()
        if row is None:
            raise ValidationError({key: _("没有找到该对象,或它不在您的辖区内。")})
        out[key] = row
    return out


def find_assignee(user_id):
    """The active user ``user_id`` (whether they may work the task is the action's check)."""
    from gridgov.accounts.models import User

    if user_id in (None, ""):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({"assignee": _("所选人员不存在或已停用。")})
    return user


def workers_in(codes):
    """Active users holding a role that grants ``tasks.work`` in an area inside ``codes``
    (or above one of them: a grid chief of the community works its grids), by name."""
    from functools import reduce
    from operator import or_

    from django.db.models import Q

    from gridgov.accounts.models import Assignment, User
    from gridgov.core.access import grants

    roles = [role for role, perms in grants.table().grants.items() if "tasks.work" in perms]
    codes = [c for c in codes if c]
    if not roles or not codes:
        return User.objects.none()
    where = reduce(or_, (Q(area__code__startswith=c) for c in codes))
    ids = Assignment.objects.filter(where, role__in=roles).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")
