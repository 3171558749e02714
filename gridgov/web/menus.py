"""Navigation by permission: which links the page shell shows to whom.

A link is shown only when the principal holds the permission of the page behind it (the same
code the page's ``PermissionRequiredMixin`` requires), and only when that page exists (its
URL name resolves), so the menu never offers a dead end or a page that would answer 403/404.

Convention: each app registers its menu entries and worklist providers in its ``shell.py``,
called from ``ready()``::

    # gridgov/<app>/shell.py
    def register():
        menus.register(menus.MenuItem("areas", _("区域"), ("areas:list",),
                                      permission="areas.view", order=30))
        worklist.register("areas.gaps", permission="areas.manage", order=30)(provider)

    # gridgov/<app>/apps.py
    def ready(self):
        from .shell import register
        register()

The shell's own entries (home, map, API documentation) are in ``gridgov.web.shell``.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    """One navigation entry: a label, where it leads and who may see it."""

    key: str
    label: str
    url_names: tuple[str, ...]  # first name that resolves wins
    order: int = 100
    exact: bool = False  # highlight only on the exact path (the home page)
    permission: str | tuple | None = None  # any of these (None: everyone signed in)

    def visible_to(self, scope) -> bool:
        if scope is None:
            return False
        if not self.permission:
            return True
        perms = (self.permission,) if isinstance(self.permission, str) else self.permission
        return scope.can(*perms)

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
    # Only the most specific link is the current one (/events/command/map/ is the map, not
    # also the command room at /events/command/).
    marked = [entry for entry in out if entry["active"]]
    if len(marked) > 1:
        best = max(marked, key=lambda entry: len(entry["url"]))
        for entry in marked:
            entry["active"] = entry is best
    return out


__all__ = ["MenuItem", "register", "items", "build_menu"]
