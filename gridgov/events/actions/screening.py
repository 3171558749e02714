"""The screen of resident-supplied text, filled in by the moderation app.

Why a hook and not an import: the moderation app decides held reports through this app's own
``release_held``, so it imports events; events importing moderation back would close an
import circle. The moderation app registers its screen from ``ready()``
(``register(screen=..., hold=..., held_terms=...)``); intake and the reporter's rating call it
here. Nothing registered is a configuration error, never a silent pass: resident text is not
taken in unscreened.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Screen:
    """What the screen offers.

    ``screen(**texts)`` returns a result with ``held`` (bool), ``terms`` (list) and
    ``reason`` (the hold reason stored on the event); ``hold(event, result, actor=...)`` opens
    the review of a held event inside the report's transaction (audited);
    ``held_terms(event)`` lists the terms an event was held for.
    """

    screen: Callable
    hold: Callable
    held_terms: Callable


_REGISTERED: list[Screen] = []


def register(*, screen: Callable, hold: Callable, held_terms: Callable) -> None:
    """Install the screen (the moderation app, from ``ready()``); a second call replaces it."""
    _REGISTERED[:] = [Screen(screen=screen, hold=hold, held_terms=held_terms)]


def current() -> Screen:
    if not _REGISTERED:
        raise ImproperlyConfigured(
            "no content screen registered: gridgov.moderation must be installed")
    return _REGISTERED[0]


def screen(**texts):
    """Match each named text against the lexicon (see ``Screen``)."""
    return current().screen(**texts)


def hold(event, result, *, actor=None):
    """Open the review of ``event``, held for ``result`` (in the caller's transaction)."""
    return current().hold(event, result, actor=actor)


def held_terms(event) -> list:
    """The terms ``event`` was held for (empty when it was not held)."""
    return list(current().held_terms(event) or [])
