"""How a signed-in person's scope is built: their role assignments and their department.

Registered with the access module in ``AccountsConfig.ready`` (core never imports accounts).
"""

from django.utils.translation import gettext

from gridgov.core.access import grants
from gridgov.core.access.scope import Scope


def role_name(code: str) -> str:
    """A role's name in the request's language.

    A built-in role's stored name is its Chinese label, which the message catalog translates;
    a role an administrator added keeps the name it was given.
    """
    return gettext(grants.role_label(code))


def role_names(codes=None) -> dict[str, str]:
    """{code: name} of the active roles (of ``codes`` only, when given), in the table's order."""
    return {code: gettext(name) for code, name in grants.role_choices(assignable_only=False)
            if codes is None or code in codes}


def scope_from(*, user_id, role_areas, department_id, is_api_client=False, principal=None
               ) -> Scope:
    """A scope over ``(role, area code)`` pairs, with the current role → permission table."""
    table = grants.table()
    return Scope(
        user_id=user_id,
        roles=frozenset(role for role, _ in role_areas),
        role_areas=tuple(role_areas),
        department_id=department_id,
        is_api_client=is_api_client,
        grants=table.grants,
        department_roles=table.department_roles,
        admin_roles=table.admin_roles,
        principal=principal,
    )


def build_user_scope(user) -> Scope:
    """The scope of a person: nothing when the account is disabled."""
    if not user.is_active:
        return scope_from(user_id=user.pk, role_areas=(), department_id=None, principal=user)
    rows = tuple(user.assignments.values_list("role", "area__code"))
    return scope_from(user_id=user.pk, role_areas=rows, department_id=user.department_id,
                      principal=user)
