"""The role → permission table, read once per process and kept for a short while.

Every request resolves its principal's permissions from this table, so it is cached per
process: for at most ``GRIDGOV_ACCESS_CACHE_TTL`` seconds (10 by default) a change made by
another process is not yet seen; a change made in this process is seen at once and again on
commit (``gridgov.core.signals``).

``sync()`` runs after every ``migrate`` (and every test-database flush): it creates the
permissions and built-in roles the code declares and grants each new permission to its
default roles. Grants an administrator changed later are never touched again.
"""

import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .registry import builtin_roles, declared_permissions


@dataclass(frozen=True)
class AccessTable:
    """One consistent reading of the role and permission tables."""

    grants: dict  # role code -> frozenset of permission codes (active roles only)
    department_roles: frozenset
    admin_roles: frozenset
    labels: dict  # role code -> name
    area_levels: dict  # role code -> tuple of levels (empty: any)
    assignable: frozenset


_lock = threading.Lock()
_cached: list = [None, 0.0]  # [AccessTable, expires at]


def _ttl() -> float:
    return float(getattr(settings, "GRIDGOV_ACCESS_CACHE_TTL", 10))


def _load() -> AccessTable:
    from gridgov.core.models import RoleDefinition

    active = RoleDefinition.objects.filter(is_active=True).order_by("order", "code")
    roles = list(active.values_list(
        "code", "name", "department_bound", "admin_duty", "area_levels", "assignable"))
    pairs = RoleDefinition.permissions.through.objects.filter(
        roledefinition__is_active=True).values_list("roledefinition__code", "permission__code")
    grants: dict[str, set] = {code: set() for code, *_ in roles}
    for role, perm in pairs:
        grants[role].add(perm)
    return AccessTable(
        grants={role: frozenset(perms) for role, perms in grants.items()},
        department_roles=frozenset(code for code, _n, dept, *_ in roles if dept),
        admin_roles=frozenset(code for code, _n, _d, admin, *_ in roles if admin),
        labels={code: name for code, name, *_ in roles},
        area_levels={code: tuple(levels or ()) for code, _n, _d, _a, levels, _s in roles},
        assignable=frozenset(code for code, *_rest, assignable in roles if assignable),
    )


def table() -> AccessTable:
    """The current table (cached)."""
    now = time.monotonic()
    current, expires = _cached
    if current is not None and expires > now:
        return current
    with _lock:
        fresh = _load()
        _cached[:] = [fresh, now + _ttl()]
    return fresh


def role_label(code: str) -> str:
    """The name of a role (its code when it no longer exists)."""
    return table().labels.get(code, code)


def role_choices(*, assignable_only: bool = True) -> list[tuple[str, str]]:
    """(code, name) of the active roles, in their order, for forms and filters."""
    current = table()
    return [(code, name) for code, name in current.labels.items()
            if not assignable_only or code in current.assignable]


def invalidate() -> None:
    """Forget the table now and again when the current transaction commits."""
    _cached[:] = [None, 0.0]
    transaction.on_commit(lambda: _cached.__setitem__(slice(None), [None, 0.0]))


def sync(*, verbosity: int = 0, audit: bool = True) -> dict:
    """Create declared permissions and built-in roles that the database lacks; grant each new
    permission to its default roles; mark permissions no longer declared. Audited."""
    from gridgov.audit.recorder import record
    from gridgov.core.models import Permission, RoleDefinition

    declared = declared_permissions()
    specs = builtin_roles()
    added = {"permissions": [], "roles": [], "grants": []}
    with transaction.atomic():
        roles = {r.code: r for r in RoleDefinition.objects.all()}
        new_roles = set()
        for spec in specs.values():
            if spec.code in roles:
                continue
            roles[spec.code] = RoleDefinition.objects.create(
                code=spec.code, name=str(spec.label), area_levels=list(spec.area_levels),
                department_bound=spec.department_bound, admin_duty=spec.admin_duty,
                builtin=True, assignable=spec.assignable, order=spec.order)
            new_roles.add(spec.code)
            added["roles"].append(spec.code)
        perms = {p.code: p for p in Permission.objects.all()}
        for code, spec in declared.items():
            row = perms.get(code)
            if row is None:
                perms[code] = row = Permission.objects.create(
                    code=code, label=str(spec.label), description=str(spec.description))
                added["permissions"].append(code)
                grant_to = spec.roles
            else:
                if not row.is_declared or row.label != str(spec.label):
                    Permission.objects.filter(pk=row.pk).update(
                        is_declared=True, label=str(spec.label))
                # A built-in role that is new here gets its declared defaults.
                grant_to = spec.roles & new_roles
            for role_code in sorted(grant_to):
                if role_code in roles:
                    roles[role_code].permissions.add(row)
                    added["grants"].append(f"{role_code}:{code}")
        stale = Permission.objects.filter(is_declared=True).exclude(code__in=list(declared))
        gone = list(stale.values_list("code", flat=True))
        stale.update(is_declared=False)
        if audit and (any(added.values()) or gone):
            record("core.access_sync", actor=None, object_type="core.permission",
                   object_id="table", changes={**added, "undeclared": gone})
    invalidate()
    if verbosity:
        print(f"access: {len(added['permissions'])} permissions, {len(added['roles'])} roles, "
              f"{len(added['grants'])} grants added")
    return added
