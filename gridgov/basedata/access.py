"""Who may see what inside a basic-data record: special-group tags and full personal values.

Scope (which records) is ``restrict_q`` on each model; this module decides the finer rules
documented in docs/personal-data.md.
"""

from django.conf import settings

from gridgov.core.access import get_scope

from .choices import (
    DEFAULT_SPECIAL_GROUP_DEPARTMENTS,
    MERGE_ROLES,
    REVEAL_ROLES,
    SPECIAL_TAG_DEPARTMENT_ROLES,
    SPECIAL_TAG_ROLES,
)


def special_group_departments() -> tuple[str, ...]:
    return tuple(getattr(settings, "GRIDGOV_SPECIAL_GROUP_DEPARTMENTS",
                         DEFAULT_SPECIAL_GROUP_DEPARTMENTS))


def can_see_special(user) -> bool:
    """Special-group tags (and any tag of the highest sensitivity): leaders and grid chiefs,
    and the data officers of the departments serving those groups (民政, 司法 by default)."""
    scope = get_scope(user)
    if scope is None or scope.is_api_client or scope.is_admin:
        return False
    if scope.has_role(*SPECIAL_TAG_ROLES):
        return True
    if scope.has_role(*SPECIAL_TAG_DEPARTMENT_ROLES) and scope.department_id:
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


def can_reveal(user) -> bool:
    scope = get_scope(user)
    return bool(scope and not scope.is_api_client and scope.has_role(*REVEAL_ROLES))


def can_merge(user) -> bool:
    scope = get_scope(user)
    return bool(scope and not scope.is_api_client and scope.has_role(*MERGE_ROLES))


def visible_tags(person, user, special=None) -> list:
    """The person's tags this user may see (prefetched ``tags`` are used)."""
    special = can_see_special(user) if special is None else special
    return [t for t in person.tags.all() if special or not t.restricted]
