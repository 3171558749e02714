"""Figures of party building for the statistics pages (issue 14 item 7), scoped.

``members_by_area(user, parent_code)``: for each child area of ``parent_code`` that the
user's ``party.view`` areas reach, ``{"members": n, "in_service_checked_in": n}``:
``members`` the active members whose organisation lies in the child area;
``in_service_checked_in`` the active in-service members checked in (双报到) to an
organisation of the child area. Two grouped queries, whatever the number of children.
"""

from django.db.models import Count

from gridgov.core.access import get_scope

from .choices import MemberStatus
from .models import PartyMember
from .permissions import VIEW


def child_areas(user, parent_code: str) -> list[str]:
    """Codes of the current child areas of ``parent_code`` inside or above the user's
    ``party.view`` areas."""
    from gridgov.areas.models import Area

    scope = get_scope(user)
    if scope is None:
        return []
    codes = scope.codes_for(VIEW)
    children = (Area.objects.current().filter(parent__code=parent_code)
                .order_by("code").values_list("code", flat=True))
    return [c for c in children
            if any(c.startswith(s) or s.startswith(c) for s in codes)]


def _bucket(rows, children) -> dict[str, int]:
    out = dict.fromkeys(children, 0)
    for code, n in rows:
        for child in children:
            if code and code.startswith(child):
                out[child] += n
                break
    return out


def members_by_area(user, parent_code: str) -> dict[str, dict]:
    children = child_areas(user, parent_code)
    if not children:
        return {}
    base = (PartyMember.objects.restrict(user, "view")
            .filter(status=MemberStatus.ACTIVE, area_code__startswith=parent_code))
    members = _bucket(base.values("area_code").annotate(n=Count("id"))
                      .values_list("area_code", "n"), children)
    checked = (PartyMember.objects.restrict(user, "view")
               .filter(status=MemberStatus.ACTIVE, in_service=True,
                       checked_in_to__area_code__startswith=parent_code)
               .values("checked_in_to__area_code").annotate(n=Count("id"))
               .values_list("checked_in_to__area_code", "n"))
    checked_in = _bucket(checked, children)
    return {c: {"members": members[c], "in_service_checked_in": checked_in[c]}
            for c in children}
