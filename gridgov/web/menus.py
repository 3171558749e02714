"""Navigation by role: which links the page shell shows to whom.

A link is shown only when the principal holds a role that may use the page behind it, and
only when that page exists (its URL name resolves), so the menu never offers a dead end or
a page that would answer 403/404. Apps add their own entries with ``register()``.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridgov.accounts.choices import DEPARTMENT_ROLES, Role

EVERYONE = None  # roles=None: any signed-in principal with a scope


@dataclass(frozen=True)
class MenuItem:
    """One navigation entry: a label, where it leads and who may see it."""

    key: str
    label: str
    url_names: tuple[str, ...]  # first name that resolves wins
    roles: frozenset | None = EVERYONE  # TRANSITIONAL (issue 8): use ``permission``
    order: int = 100
    exact: bool = False  # highlight only on the exact path (the home page)
    permission: str | tuple | None = None  # any of these (None: everyone signed in)

    def visible_to(self, scope) -> bool:
        if scope is None:
            return False
        if self.permission:
            perms = (self.permission,) if isinstance(self.permission, str) else self.permission
            return scope.can(*perms)
        if self.roles is None:
            return True
        return scope.has_role(*self.roles)

    def url(self) -> str | None:
        for name in self.url_names:
            try:
                return reverse(name)
            except NoReverseMatch:
                continue
        return None


_ITEMS: dict[str, MenuItem] = {}


def register(item: MenuItem) -> MenuItem:
    """Add (or replace, by key) a navigation entry; later apps call this from ``ready()``."""
    _ITEMS[item.key] = item
    return item


def items() -> list[MenuItem]:
    return sorted(_ITEMS.values(), key=lambda i: (i.order, i.key))


def build_menu(scope, path: str = "") -> list[dict]:
    """The links a principal may use, in order, marking the one the current page belongs to."""
    out = []
    for item in items():
        if not item.visible_to(scope):
            continue
        url = item.url()
        if url is None:
            continue
        active = path == url if (item.exact or url == "/") else path.startswith(url)
        out.append({"key": item.key, "label": item.label, "url": url, "active": active})
    return out


# The system administrator manages areas, departments, accounts and API keys; the security
# administrator assigns roles, unlocks accounts and resets second factors; only the audit
# administrator reads the log (docs/architecture.md, "三员").
# "首页" alone is also "first page" in pagination: the context keeps "Home" apart.
register(MenuItem("home", pgettext_lazy("navigation", "首页"), ("web:home",), order=10, exact=True))
register(MenuItem("map", _("网格地图"), ("web:map",), order=20))
register(MenuItem("areas", pgettext_lazy("navigation", "区域"), ("areas:list",), order=30))
register(MenuItem(
    "departments", _("部门"), ("accounts:departments",),
    roles=frozenset({Role.SYS_ADMIN}), order=60,
))
register(MenuItem(
    "users", _("用户与角色"), ("accounts:users",),
    roles=frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN}), order=70,
))
register(MenuItem(
    "api_keys", _("API 密钥"), ("accounts:api_keys",),
    roles=frozenset({Role.SYS_ADMIN, Role.DEPT_ADMIN}), order=80,
))
register(MenuItem(
    "audit", _("审计日志"), ("audit:records",),
    roles=frozenset({Role.AUDIT_ADMIN}), order=90,
))
# The API documentation is for the people who connect systems: department staff and the
# system administrator. Grid workers on a phone have no use for it.
register(MenuItem(
    "api_docs", _("API 文档"), ("api-docs",),
    roles=frozenset(DEPARTMENT_ROLES | {Role.SYS_ADMIN}), order=95,
))

__all__ = ["MenuItem", "register", "items", "build_menu"]
