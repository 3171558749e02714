"""Who may see what inside a basic-data record: special-group tags, and the page buttons.

Scope (which records) is ``restrict_q`` on each model; full personal values are revealed by
``gridgov.core.personal_data.reveal``; this module decides the finer rules documented in
docs/personal-data.md.
"""

from django.conf import settings

from gridgov.core.access import can, get_scope

from .choices import DEFAULT_SPECIAL_GROUP_DEPARTMENTS
from .permissions import CHANGE, MERGE, REVEAL, SEE_SPECIAL


def special_group_departments() -> tuple[str, ...]:
    return tuple(getattr(settings, "GRIDGOV_SPECIAL_GROUP_DEPARTMENTS",
                         DEFAULT_SPECIAL_GROUP_DEPARTMENTS))


def can_see_special(user) -> bool:
    """Special-group tags (and any tag of the highest sensitivity): ``basedata.see_special``
    held through an area role (leaders, grid chiefs), or through a department role in one
    of the departments serving those groups (民政, 司法 by default)."""
    scope = get_scope(user)
    if scope is None:
        return False
    if scope.roles_with(SEE_SPECIAL, department_bound=False):
        return True
    if scope.department_can(SEE_SPECIAL):
        cached = getattr(user, "_gridgov_special_dept", None)
        if cached is None:
            from gridgov.accounts.models import Department

            cached = Department.objects.filter(
                pk=scope.department_id, code__in=special_group_departments()).exists()
            try:
                user._gridgov_special_dept = cached
            except AttributeError:
                pass
        return cached
    return False


def can_change(user) -> bool:
    """Whether the user may collect, correct and import (where: ``restrict(user, "change")``)."""
    return can(user, CHANGE)


def can_reveal(user) -> bool:
    return can(user, REVEAL)


def birth_date_shown(person, user, reveal=None):
    """The birth date as ``user`` may see it: the date for those who may reveal the ID number,
    else its year only ("1949-**-**"). The birth date is digits 7-14 of the ID number, so the
    mask "330203********1234" beside the full date is the whole number again (probe, session
    21: 100 of 100 rebuilt by a leader who may not reveal). ``None`` without a birth date."""
    if person.birth_date is None:
        return None
    if can_reveal(user) if reveal is None else reveal:
        return person.birth_date.isoformat()
    return f"{person.birth_date.year:04d}-**-**"


def can_merge(user) -> bool:
    return can(user, MERGE)


def visible_tags(person, user, special=None) -> list:
    """The person's tags this user may see (prefetched ``tags`` are used)."""
    special = can_see_special(user) if special is None else special
    return [t for t in person.tags.all() if special or not t.restricted]
