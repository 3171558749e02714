"""What a principal may reach: its permissions, and where it holds them.

A ``Scope`` is resolved once per request from the principal's role assignments (role × area,
plus a department for department-bound roles) and the role → permission table. It answers
two questions for the two chokepoints:

- *may it do this at all?* ``scope.can("events.dispatch")`` (``require()`` raises on no);
- *where?* ``scope.area_q("area_code", "events.view")`` / ``scope.covers(code, perm)`` give
  the areas in which the principal holds a role granting that permission; area codes are
  hierarchical (district 6 digits, street 9, community 12, grid 15), so "inside" is a prefix
  test on one indexed column. ``scope.department_can(perm)`` says whether it holds the
  permission through a department-bound role (its department's work).

Further axes (grants of a data resource, party organisations, cameras) are registered by the
app that owns them with ``register_axis(name, provider)`` and read with ``scope.axis(name)``;
they are computed on first use, so a request that never asks pays nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q

CODE_LENGTHS = (6, 9, 12, 15)
NOTHING = Q(pk__in=[])


def _outermost(codes) -> tuple[str, ...]:
    kept: list[str] = []
    for code in sorted(set(codes)):
        if not any(code.startswith(k) for k in kept):
            kept.append(code)
    return tuple(kept)


@dataclass(frozen=True)
class Scope:
    """The resolved reach of a user, a device or an API client."""

    user_id: int | None
    roles: frozenset = field(default_factory=frozenset)
    # (role code, area code) pairs: where each role is held
    role_areas: tuple = ()
    department_id: int | None = None
    is_api_client: bool = False
    # role code -> permission codes (from the role → permission table)
    grants: dict = field(default_factory=dict, compare=False, repr=False)
    # role codes that are held together with a department
    department_roles: frozenset = field(default_factory=frozenset)
    # role codes of the separated security duties (三员)
    admin_roles: frozenset = field(default_factory=frozenset)
    principal: object = field(default=None, compare=False, repr=False)
    _axes: dict = field(default_factory=dict, compare=False, repr=False)

    # --- permissions -----------------------------------------------------------------------

    @property
    def permissions(self) -> frozenset:
        """Every permission any of the principal's roles grants."""
        cached = self._axes.get("__permissions__")
        if cached is None:
            cached = frozenset().union(*(self.grants.get(r, ()) for r in self.roles))
            self._axes["__permissions__"] = cached
        return cached

    def can(self, *perms: str) -> bool:
        """Whether the principal holds any of ``perms`` anywhere."""
        return any(p in self.permissions for p in perms)

    def roles_with(self, perm: str, *, department_bound: bool | None = None) -> frozenset:
        """The principal's roles that grant ``perm`` (optionally only department-bound ones,
        or only area ones)."""
        out = {r for r in self.roles if perm in self.grants.get(r, ())}
        if department_bound is True:
            out &= self.department_roles
        elif department_bound is False:
            out -= self.department_roles
        return frozenset(out)

    def department_can(self, perm: str) -> bool:
        """Whether the principal holds ``perm`` for its department's work."""
        return bool(self.department_id and self.roles_with(perm, department_bound=True))

    # --- areas -----------------------------------------------------------------------------

    @property
    def area_codes(self) -> tuple[str, ...]:
        """Every area code the principal holds any role in, without codes nested in others."""
        return _outermost(code for _, code in self.role_areas)

    def codes_for(self, perm: str | None = None, *, department_bound: bool | None = None
                  ) -> tuple[str, ...]:
        """The outermost area codes where the principal holds a role granting ``perm``."""
        if perm is None:
            return self.area_codes
        roles = self.roles_with(perm, department_bound=department_bound)
        return _outermost(code for role, code in self.role_areas if role in roles)

    def covers(self, code: str, perm: str | None = None, *,
               department_bound: bool | None = None) -> bool:
        """Whether an area code lies inside (or is) an area where ``perm`` is held."""
        return any(code.startswith(c) for c in
                   self.codes_for(perm, department_bound=department_bound))

    def area_q(self, field_name: str = "code", perm: str | None = None, *,
               department_bound: bool | None = None) -> Q:
        """A filter keeping rows whose area code lies inside the areas where ``perm`` is held."""
        codes = self.codes_for(perm, department_bound=department_bound)
        if not codes:
            return NOTHING
        return reduce(or_, (Q(**{f"{field_name}__startswith": c}) for c in codes))

    def ancestor_codes(self) -> set[str]:
        """Codes of the areas above the principal's areas (shown as context, never below)."""
        out = set()
        for code in self.area_codes:
            out.update(code[:n] for n in CODE_LENGTHS if n < len(code))
        return out

    @property
    def is_admin(self) -> bool:
        """Whether the principal holds one of the separated security duties."""
        return bool(self.roles & self.admin_roles)

    # --- further axes ----------------------------------------------------------------------

    def axis(self, name: str) -> frozenset:
        """Values of a registered scope axis (e.g. resource ids granted to the department)."""
        if name not in self._axes:
            provider = _AXES.get(name)
            if provider is None:
                raise KeyError(f"no scope axis {name!r} is registered")
            self._axes[name] = frozenset(provider(self))
        return self._axes[name]


ScopeBuilder = Callable[[object], Scope]
_AXES: dict[str, Callable[[Scope], object]] = {}
_USER_BUILDER: list[ScopeBuilder] = []


def register_axis(name: str, provider: Callable[[Scope], object]) -> None:
    """Register a scope axis; ``provider(scope)`` returns the values the principal reaches."""
    _AXES[name] = provider


def register_user_scope_builder(builder: ScopeBuilder) -> None:
    """The accounts app says how a signed-in user's scope is built (from ``ready()``), so core
    never imports it."""
    _USER_BUILDER[:] = [builder]


def get_scope(principal) -> Scope | None:
    """The scope of a user (cached on the instance for the request) or an API client;
    ``None`` for anonymous visitors."""
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    cached = getattr(principal, "_gridgov_scope", None)
    if cached is not None:
        return cached
    if hasattr(principal, "build_scope"):
        scope = principal.build_scope()
    elif _USER_BUILDER:
        scope = _USER_BUILDER[0](principal)
    else:  # pragma: no cover - accounts is always installed
        raise RuntimeError("no user scope builder registered")
    try:
        principal._gridgov_scope = scope
    except AttributeError:
        pass
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's assignments change."""
    if hasattr(user, "_gridgov_scope"):
        del user._gridgov_scope
