"""One entry point for pages and the API: run a workflow action by name with the person's input.

The inputs of each action are read from the workflow table (``Transition.needs``), so a
transition added to the table needs no code here nor in the API: its verb is found by name
(``Transition.verb``) and each input is passed to it as the keyword the table names, coerced
by its kind. The verbs stay the authority on the rules (what is required, what is valid).
"""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from ..workflow import BOOL, CODE, FILES, INT, TRANSITIONS, Transition
from . import requests, workflow

# Modules whose functions the table's ``verb`` names (merging has its own verb and page).
VERB_MODULES = (workflow, requests)

# Actions a person can run through ``perform`` (those with a verb in the table).
PERFORMABLE = tuple(name for name, t in TRANSITIONS.items() if t.verb)


def verb_of(transition: Transition):
    """The action function a transition names."""
    for module in VERB_MODULES:
        func = getattr(module, transition.verb, None)
        if callable(func):
            return func
    raise ImproperlyConfigured(f"no action verb {transition.verb!r} for {transition.action!r}")


def as_bool(value) -> bool:
    """A yes/no input from a form ("1", "on", "approve") or JSON (true)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "pass", "approve")
    return bool(value)


def _coerce(kind, value):
    if kind == BOOL:
        return as_bool(value)
    if kind == CODE:
        return value or None  # blank: not given (the verb keeps or derives the value)
    if kind == INT:
        return value  # the verb converts and checks the range, with its own message
    return value or ""


def perform(action, event, *, actor, data, attachments=(), expected_version=None):
    """Run the workflow action named ``action`` with the person's input ``data`` (a mapping
    of strings, as from a form or a JSON body). Used by the detail page and the API so both
    read input the same way; the action functions stay the authority on the rules."""
    transition = TRANSITIONS.get(action)
    if transition is None or action not in PERFORMABLE:
        raise ValidationError({"action": _("未知的操作。")})
    kwargs = {}
    for needed in transition.needs:
        if needed.kind == FILES:
            kwargs[needed.keyword] = attachments
        else:
            kwargs[needed.keyword] = _coerce(needed.kind, data.get(needed.name))
    return verb_of(transition)(event, actor=actor, expected_version=expected_version,
                               **kwargs)
