"""Per-process cache of the active minor classes by code, for the intake path.

Every report names its minor class; looking it up was one query in eight of an intake
request. The catalogue is small and changes rarely, so each process keeps the classes it
has seen, for at most ``GRIDGOV_CATALOG_CACHE_TTL`` seconds (another process's change is
seen within that time) and forgets them when this process saves or deletes a major or minor
class, at once and on commit (``post_save`` / ``post_delete``, connected in
``EventsConfig.ready``).

The cached instances are shared between requests and threads: read them, never change them.
"""

import time

from django.conf import settings

_cache: dict[str, tuple[float, object]] = {}


def _ttl() -> float:
    return float(getattr(settings, "GRIDGOV_CATALOG_CACHE_TTL", 10))


def minor_by_code(code: str):
    """The minor class with this code (active or not; the caller checks), or None."""
    from .models import MinorCategory

    now = time.monotonic()
    hit = _cache.get(code)
    if hit is not None and hit[0] > now:
        return hit[1]
    category = MinorCategory.objects.select_related("major").filter(code=code).first()
    if category is not None:
        _cache[code] = (now + _ttl(), category)
    else:
        _cache.pop(code, None)
    return category


def invalidate() -> None:
    """Forget every cached class."""
    _cache.clear()


def _changed(*_args, **_kwargs) -> None:
    # At once, and again when the change commits: a request of another thread may cache
    # the old row between the save and the commit.
    from django.db import transaction

    _cache.clear()
    transaction.on_commit(_cache.clear)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import MajorCategory, MinorCategory

    for model in (MajorCategory, MinorCategory):
        post_save.connect(_changed, sender=model, dispatch_uid=f"catalog_cache_{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"catalog_cache_d_{model}")


_REPORTABLE = "\0reportable"


def reportable() -> list:
    """The classes a report may name, for a picker: ``[{code, name, major}]`` of the active
    minor classes under active major classes of active platforms, by major and minor code.
    Cached like the classes by code (``invalidate`` forgets it too)."""
    from .models import MinorCategory

    now = time.monotonic()
    hit = _cache.get(_REPORTABLE)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = [{"code": code, "name": name, "major": major} for code, name, major in (
        MinorCategory.objects.filter(is_active=True, major__is_active=True,
                                     major__platform__is_active=True)
        .order_by("major__code", "code").values_list("code", "name", "major__name"))]
    _cache[_REPORTABLE] = (now + _ttl(), rows)
    return rows
