"""The access policy: one module for what a role may do and where.

- ``require(actor, perm)`` / ``can(actor, perm)``: permissions (``checks``);
- ``get_scope(principal)``: the principal's ``Scope`` (``scope``), read by
  ``Model.objects.restrict(user, action)`` and by ``restrict_q`` of each model;
- ``PermissionSpec`` / ``RoleSpec``: what each app's ``permissions.py`` declares
  (``registry``); the role → permission table itself is data (``core.RoleDefinition``).

See docs/architecture.md, "Access".
"""

from .checks import can, require
from .registry import PermissionSpec, RoleSpec, declared_permissions
from .scope import Scope, forget_scope, get_scope, register_axis

__all__ = [
    "PermissionSpec", "RoleSpec", "Scope", "can", "declared_permissions", "forget_scope",
    "get_scope", "register_axis", "require",
]
