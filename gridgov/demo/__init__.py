"""The Haishu demo district: the real boundary and 17 real street-level units, generated
communities, villages and grids, the district's departments and one demo user per role.

Not a Django app: ``generate`` is pure (no database); ``load_demo`` writes through the actions.
"""

from .generate import DEFAULT_SEED


def load_demo(seed: int = DEFAULT_SEED, stdout=None, history_events: int = 0) -> dict:
    """Load the demo district into the database (idempotent); see ``gridgov.demo.load``.

    ``history_events``: also make sure that many generated history cases exist
    (``gridgov.demo.history``); none by default (the tests' demo).
    """
    # Imported here so that ``gridgov.demo.generate`` works without Django being set up.
    from .load import load_demo as _load_demo

    return _load_demo(seed=seed, stdout=stdout, history_events=history_events)


__all__ = ["DEFAULT_SEED", "load_demo"]
