"""Built-in resources: the platform's own basic data published through the exchange.

Apps register a source of rows from their ``AppConfig.ready()``::

    from gridgov.sharing.registry import register_builtin

    register_builtin(
        "people", name="实有人口", provider_department_code="D016",
        fields=[{"name": "id_number", "label": "身份证号", "type": "string", "sensitive": True},
                ...],
        queryset=lambda: Person.objects.all(),
        row=lambda person: {"id_number": decrypt(person.id_number_enc), ...},
        updated_field="updated_at",
    )

``row(obj)`` gives plain, unmasked values; the exchange keeps only the granted fields and masks
them per grant. ``updated_field`` names the timestamp that ``updated_since`` and the keyset
(``updated_field``, ``pk``) run on. Publishing a built-in source as a catalog entry is an action
(``actions.publish_builtin``), so the provider department decides what the catalog says.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Builtin:
    """One registered built-in source of rows."""

    key: str
    name: str
    provider_department_code: str
    fields: tuple
    queryset: Callable
    row: Callable
    updated_field: str
    meta: dict = field(default_factory=dict)


_REGISTRY: dict[str, Builtin] = {}
FIELD_KEYS = {"name", "label", "type", "sensitive"}


def register_builtin(key, *, name, provider_department_code, fields, queryset, row,
                     updated_field, **meta) -> Builtin:
    """Register (or replace, by key) a built-in source; ``meta`` may preset catalog metadata
    (abstract, category, item, catalog, groups, tags, update_cycle ...)."""
    checked = []
    for spec in fields:
        missing = {"name", "label", "type"} - set(spec)
        if missing:
            raise ValueError(f"built-in {key!r}: field {spec!r} lacks {sorted(missing)}")
        checked.append({
            "name": spec["name"], "label": spec["label"], "type": spec["type"],
            "sensitive": bool(spec.get("sensitive", False)),
        })
    builtin = Builtin(
        key=key, name=name, provider_department_code=provider_department_code,
        fields=tuple(checked), queryset=queryset, row=row, updated_field=updated_field,
        meta=dict(meta),
    )
    _REGISTRY[key] = builtin
    return builtin


def unregister_builtin(key: str) -> None:
    _REGISTRY.pop(key, None)


def get_builtin(key: str) -> Builtin | None:
    return _REGISTRY.get(key)


def builtins() -> list[Builtin]:
    return sorted(_REGISTRY.values(), key=lambda b: b.key)
