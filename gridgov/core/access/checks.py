"""``require()`` and ``can()``: what a role may do, asked in one way everywhere.

Actions call ``require(actor, "app.permission")`` first; page views and API viewsets declare
the permission they need and go through the same function. Where (in which areas, for which
department) is the other chokepoint's business: ``Model.objects.restrict(user, action)``.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .registry import check_declared
from .scope import Scope, get_scope


def can(actor, *permissions: str) -> bool:
    """Whether the actor holds any of ``permissions`` (the system, ``None``, holds all)."""
    for code in permissions:
        check_declared(code)
    if actor is None:
        return True
    scope = get_scope(actor)
    return bool(scope and scope.can(*permissions))


def require(actor, *permissions: str, allow_system: bool = True, message: str = ""
            ) -> Scope | None:
    """Let the actor through when it holds any of ``permissions``; else ``PermissionDenied``.

    ``actor=None`` is the system (demo loader, periodic jobs, migrations): it passes unless
    ``allow_system=False``. Returns the actor's scope (``None`` for the system).
    """
    for code in permissions:
        check_declared(code)
    if actor is None:
        if allow_system:
            return None
        raise PermissionDenied(_("此操作需要由已登录的人员执行。"))
    scope = get_scope(actor)
    if scope is None or not scope.can(*permissions):
        raise PermissionDenied(message or _("您的角色无权执行此操作。"))
    return scope
