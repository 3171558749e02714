"""Harmful-content filtering of resident-supplied text (administrator-edited lexicon).

``check_text(text) -> list[str]`` is the entry point other apps use; see ``matcher``.
"""

from .matcher import check_text  # noqa: F401
