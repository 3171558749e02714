"""The permission gate of the REST API, read by the OpenAPI schema too.

A viewset or API view says what each operation needs::

    required_permission = "events.view"                         # every operation
    required_permissions = {"list": "events.view", "create": "events.report"}  # per action
                                                                # (or per HTTP method)

``RequirePermission`` (the default permission class) lets through principals that hold it
(any of them, for a tuple). A viewset whose model's ``restrict_q`` keeps rows by the very
permission its reads declare sets ``reads_narrowed_by_scope = True``: a principal without it
then reads like one outside every area (an empty list, 404 for a record, as the scope
matrices require), while its writes still answer 403. ``gridgov.core.schema`` writes the
permission into each operation as ``x-permissions``, so the schema says who may call what.
An operation with no declaration is open to any signed-in principal (scope still narrows
what it reads).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .registry import check_declared
from .scope import get_scope

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
PUBLIC = "public"  # marks an operation anyone may call (no sign-in)


def permissions_for(view, method: str) -> tuple:
    """The permission codes an operation of ``view`` needs (empty: any signed-in principal)."""
    table = getattr(view, "required_permissions", None)
    if table:
        action = getattr(view, "action", None)
        needed = table.get(action) if action else None
        if needed is None:
            needed = table.get(method.lower(), table.get("*", ()))
    else:
        needed = getattr(view, "required_permission", ())
    needed = (needed,) if isinstance(needed, str) else tuple(needed)
    for code in needed:
        if code != PUBLIC:
            check_declared(code)
    return needed


class RequirePermission(permissions.BasePermission):
    """Signed in, and holding the operation's permission."""

    message = _("您的角色无权使用此接口。")

    def has_permission(self, request, view):
        needed = permissions_for(view, request.method)
        if PUBLIC in needed:
            return True
        scope = get_scope(request.user)
        if scope is None:
            return False
        if getattr(view, "reads_narrowed_by_scope", False) and request.method in SAFE_METHODS:
            return True
        return not needed or scope.can(*needed)
