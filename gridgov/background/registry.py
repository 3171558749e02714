"""The kinds of background work: each a function ``fn(progress, actor, **params) -> result``.

``register("audit.verify", fn, label=..., permission=...)``: who may start it is the
permission; ``fn`` reports how far it got through ``progress(done, total, message)``, which
also raises ``Cancelled`` once the person asked to stop; its result (JSON) is shown on the
job's page, with ``summary(result) -> [(label, value)]`` when given.
"""

from dataclasses import dataclass, field


class Cancelled(Exception):
    """The person asked the job to stop; the work ends at its next progress report."""


@dataclass(frozen=True)
class Kind:
    name: str
    fn: object
    label: str
    permission: str
    summary: object = None
    params: tuple = field(default_factory=tuple)  # the parameter names the kind accepts


KINDS: dict[str, Kind] = {}


def register(name: str, fn, *, label, permission: str, summary=None, params=()) -> Kind:
    kind = Kind(name, fn, label, permission, summary, tuple(params))
    KINDS[name] = kind
    return kind


def get(name: str) -> Kind | None:
    return KINDS.get(name)
