"""待办: the work waiting for a person, gathered from providers that apps register.

A provider is a function ``provider(user, scope) -> iterable of WorkItem`` registered with the
permission it serves. The home page asks every provider whose permission the principal holds.
Each provider must run a fixed, small number of queries (never one per row): the home page is
the first page everyone opens, and its query count is guarded by a test.

Convention: each app registers its menu entries and worklist providers in its ``shell.py``,
called from ``ready()`` (see ``gridgov.web.menus``)::

    # gridgov/events/shell.py
    from gridgov.web.worklist import WorkItem, register

    def to_dispatch(user, scope):
        qs = Event.objects.restrict(user).filter(status="accepted")
        yield WorkItem(key="events.to_dispatch", title=_("待派遣事件"), count=qs.count(),
                       url=reverse("events:list") + "?status=accepted")

    def register_shell():
        register("events.to_dispatch", permission="events.dispatch", order=10)(to_dispatch)
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

INFO, WARN, DANGER = "info", "warn", "danger"
SAMPLE_SIZE = 5


@dataclass
class WorkItem:
    """One kind of waiting work: what it is, how many, a few examples and where to act."""

    key: str
    title: str
    count: int
    url: str | None = None
    severity: str = WARN
    note: str = ""
    samples: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.samples))


Provider = Callable[..., Iterable[WorkItem]]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    func: Provider
    permission: tuple = ()

    def serves(self, scope) -> bool:
        return not self.permission or scope.can(*self.permission)


_PROVIDERS: dict[str, _Registered] = {}


def register(key: str, *, permission=None, order: int = 100):
    """Register a waiting-work provider for principals holding ``permission`` (any of them,
    for a tuple; None: everyone signed in)."""
    perms = (permission,) if isinstance(permission, str) else tuple(permission or ())

    def decorate(func: Provider) -> Provider:
        _PROVIDERS[key] = _Registered(key, order, func, perms)
        return func

    return decorate


def unregister(key: str) -> None:
    _PROVIDERS.pop(key, None)


def providers_for(scope) -> list[_Registered]:
    if scope is None:
        return []
    chosen = [p for p in _PROVIDERS.values() if p.serves(scope)]
    return sorted(chosen, key=lambda p: (p.order, p.key))


def collect(user, scope) -> list[WorkItem]:
    """Every waiting-work item for the principal; items with nothing waiting are dropped."""
    out: list[WorkItem] = []
    for provider in providers_for(scope):
        out.extend(item for item in provider.func(user, scope) if item.count)
    return out


def url_or_none(name: str, query: str = "") -> str | None:
    """A link to a page that may not exist yet in this installation."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return None
