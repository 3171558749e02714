"""Every write to the basic data: collect, correct, tag, add a family, merge (``people``),
buildings, houses, organisations and components (``places``), a record's life: move in and
out, death, phone, household, house use (``lifecycle``), and key rotation (``keys``).
Each verb checks the actor, validates, writes in one transaction with an audit record and a
``ChangeRecord``, and updates the per-field provenance (``common``).

``actor=None`` is the system loader (demo seed, import command), audited as "system".
Callers use this package's names: ``basedata.actions.create_person(...)``.
"""

from .common import VersionConflict, actor_meta, check_version, resolve_grid, wgs84_point
from .keys import rotate_keys
from .lifecycle import (
    change_house_use,
    change_phone,
    move_in,
    move_out,
    record_death,
    set_household,
)
from .people import (
    add_family,
    add_tags,
    create_person,
    merge_candidates,
    merge_people,
    person_values,
    set_tags,
    update_person,
)
from .places import (
    create_building,
    create_component,
    create_house,
    create_organisation,
    house_values,
    next_component_code,
    organisation_values,
    set_component_state,
    update_house,
    update_organisation,
)

__all__ = [
    "VersionConflict", "change_house_use", "change_phone", "check_version", "move_in",
    "move_out", "record_death", "set_household", "actor_meta", "add_family", "add_tags",
    "create_building", "create_component",
    "create_house", "create_organisation", "create_person", "house_values", "merge_candidates",
    "merge_people", "next_component_code", "organisation_values", "person_values",
    "resolve_grid", "rotate_keys", "set_component_state", "set_tags", "update_house",
    "update_organisation", "update_person", "wgs84_point",
]
