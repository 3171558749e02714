"""What a principal may reach: its roles, the area codes it holds them in, its department.

Area codes are hierarchical (district 6 digits, street 9, community 12, grid 15), so "inside
my area" is a prefix test on the code, one indexed condition per assigned area.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

from .choices import ADMIN_ROLES, Role

CODE_LENGTHS = (6, 9, 12, 15)


@dataclass(frozen=True)
class Scope:
    """The resolved reach of a user or an API client."""

    user_id: int | None
    roles: frozenset = field(default_factory=frozenset)
    # role -> area codes the role is held in
    role_areas: tuple = ()
    department_id: int | None = None
    is_api_client: bool = False

    @property
    def area_codes(self) -> tuple[str, ...]:
        """Every area code the principal holds any role in, without codes nested in others."""
        codes = sorted({code for _, code in self.role_areas})
        kept: list[str] = []
        for code in codes:
            if not any(code.startswith(k) for k in kept):
                kept.append(code)
        return tuple(kept)

    def codes_for(self, *roles) -> tuple[str, ...]:
        return tuple(sorted({code for role, code in self.role_areas if role in roles}))

    def has_role(self, *roles) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    def covers(self, code: str, roles=None) -> bool:
        """Whether an area code lies inside (or is) one of the principal's areas."""
        codes = self.codes_for(*roles) if roles else self.area_codes
        return any(code.startswith(c) for c in codes)

    def area_q(self, field_name: str = "code", roles=None) -> Q:
        """A filter keeping rows whose area code lies inside the principal's areas."""
        codes = self.codes_for(*roles) if roles else self.area_codes
        if not codes:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field_name}__startswith": c}) for c in codes))

    def ancestor_codes(self) -> set[str]:
        """Codes of the areas above the principal's areas (shown as context, never below)."""
        out = set()
        for code in self.area_codes:
            out.update(code[:n] for n in CODE_LENGTHS if n < len(code))
        return out


ANONYMOUS = None


def get_scope(principal) -> Scope | None:
    """The scope of a user (cached on the instance for the request) or an API client."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(principal, "_gridgov_scope", None)
    if cached is not None:
        return cached
    scope = principal.build_scope() if hasattr(principal, "build_scope") else _user_scope(principal)
    try:
        principal._gridgov_scope = scope
    except AttributeError:
        pass
    return scope


def _user_scope(user) -> Scope:
    if not user.is_active:
        return Scope(user_id=user.pk)
    rows = list(user.assignments.values_list("role", "area__code"))
    roles = frozenset(role for role, _ in rows)
    return Scope(
        user_id=user.pk,
        roles=roles,
        role_areas=tuple(rows),
        department_id=user.department_id,
    )


def forget_scope(user) -> None:
    """Drop the cached scope after the user's assignments change."""
    if hasattr(user, "_gridgov_scope"):
        del user._gridgov_scope


__all__ = ["Scope", "get_scope", "forget_scope", "Role"]
