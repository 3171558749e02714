"""What the code declares: the permissions it checks and the built-in roles.

Code checks *permissions* (``require(actor, "events.dispatch")``); which *roles* hold which
permissions is data (``core.Permission``, ``core.RoleDefinition``) that an administrator edits
without code. Each app declares the permissions it checks in ``<app>/permissions.py``::

    PERMISSIONS = [
        PermissionSpec("events.dispatch", _("派遣事件"), roles={"dispatcher"}),
    ]
    ROLES = [RoleSpec("dispatcher", _("派遣员")), ...]   # only the app that owns roles

``roles`` are the defaults granted when the permission first appears in a database; after
that the table is the administrator's. The modules are found by name (like Django's admin
autodiscovery), so no app imports another to declare what it checks.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class PermissionSpec:
    """One permission the code checks, with the roles that hold it by default."""

    code: str
    label: str
    roles: frozenset = field(default_factory=frozenset)
    description: str = ""

    def __post_init__(self):
        object.__setattr__(self, "roles", frozenset(self.roles))
        if "." not in self.code:
            raise ImproperlyConfigured(f"permission code {self.code!r} needs an app prefix")


@dataclass(frozen=True)
class RoleSpec:
    """A built-in role. Administrators add more as data (``core.RoleDefinition``).

    ``area_levels``: the area levels it may be held at (empty: any);
    ``department_bound``: held together with a department, whose work it reaches;
    ``admin_duty``: one of the separated security duties (三员), held alone.
    """

    code: str
    label: str
    area_levels: tuple = ()
    department_bound: bool = False
    admin_duty: bool = False
    assignable: bool = True
    order: int = 100


_PERMISSIONS: dict[str, PermissionSpec] | None = None
_ROLES: dict[str, RoleSpec] | None = None


def _discover():
    global _PERMISSIONS, _ROLES
    permissions: dict[str, PermissionSpec] = {}
    roles: dict[str, RoleSpec] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            module = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
            continue
        for spec in getattr(module, "PERMISSIONS", ()):
            if spec.code in permissions:
                raise ImproperlyConfigured(f"permission {spec.code!r} declared twice")
            permissions[spec.code] = spec
        for spec in getattr(module, "ROLES", ()):
            roles[spec.code] = spec
    _PERMISSIONS, _ROLES = permissions, roles


def declared_permissions() -> dict[str, PermissionSpec]:
    """Every permission the code checks, by code."""
    if _PERMISSIONS is None:
        _discover()
    return _PERMISSIONS


def builtin_roles() -> dict[str, RoleSpec]:
    """The roles the platform ships with, by code."""
    if _ROLES is None:
        _discover()
    return _ROLES


def check_declared(code: str) -> None:
    """A permission the code checks must be declared: a typo is a programming error."""
    if code not in declared_permissions():
        raise ImproperlyConfigured(f"permission {code!r} is not declared in any permissions.py")
