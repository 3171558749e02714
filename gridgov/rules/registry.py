"""What the rule engine can reason about: subjects, facts and outcomes declared by the apps.

Each app declares, in ``<app>/rule_specs.py``::

    SUBJECTS = [SubjectSpec("person", _("人员"), queryset=..., describe=...)]
    FACTS = [FactSpec("age", _("年龄"), subject="person", type="int", annotate=...)]
    OUTCOMES = [OutcomeSpec("proactive.benefit", _("启动津贴"), subject="person", handler=...)]

The modules are found by name (like ``permissions.py``, see
``gridgov.core.access.registry``), so the engine imports no app to learn what it can do and
no app imports another to add a fact. A rule (``rules.Rule``) is data naming a subject, a list
of conditions over facts and one outcome; nothing in a rule is code.

- ``SubjectSpec.queryset(today)``: the candidates on the evaluation date (e.g. current
  residents); ``area_field`` is the field holding the grid code the rule's area and the
  viewer's scope filter on; ``describe(obj)`` is a short human name for lists.
- ``FactSpec.annotate(qs, today)``: adds ONE annotation named ``code`` (or ``field``) to the
  subject's queryset (a fact that is a plain field of the subject, like ``sex``, returns the
  queryset unchanged: Django refuses an annotation named like a field), in SQL (Subquery /
  Extract / Case / Exists), never a Python loop over rows: the nightly run goes over a
  district's million people. ``type`` decides the operators a
  condition may use (see ``gridgov.rules.conditions.OPERATORS``).
- ``OutcomeSpec.handler(subject_obj, *, rule, firing, facts, params)``: runs inside the
  firing's transaction and returns the model instance it created (or None);
  ``params_form`` edits the rule's ``outcome_params``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

FACT_TYPES = ("int", "str", "bool", "date", "choice", "tag")


def _default_describe(obj) -> str:
    return str(obj)


@dataclass(frozen=True)
class SubjectSpec:
    """What a rule is about (a person, a hotspot of reports): its candidates on a date."""

    code: str
    label: Any
    queryset: Callable  # (date) -> QuerySet
    area_field: str = "area_code"
    describe: Callable = _default_describe  # (obj) -> str
    # () -> an SQL expression giving the stable Firing.subject_id (default: the primary key
    # as text); the engine compares it with Firing.subject_id in a NOT EXISTS.
    subject_key: Callable | None = None
    # The integer field a run reads the candidates by, in ranges of values (batches); "" =
    # the rows are few (grouped subjects like hotspots): read at once.
    batch_field: str = "pk"
    # Who may read the subject's name in lists (else masked), e.g. "basedata.view_people".
    privacy_permission: str = ""
    description: str = ""


@dataclass(frozen=True)
class FactSpec:
    """A named value of a subject a condition may test, computed in SQL."""

    code: str
    label: Any
    subject: str
    type: str  # "int" | "str" | "bool" | "date" | "choice" | "tag"
    annotate: Callable | None  # (QuerySet, date) -> QuerySet with an annotation named `code`
    choices: Callable | None = None  # () -> list[(value, label)]
    unit: str = ""
    description: str = ""
    # The name conditions filter on when it is not ``code`` (a field of the subject's query).
    field: str = ""
    # Facts of type "tag": (value, today) -> Q (an EXISTS); they have no annotation.
    condition: Callable | None = None
    # (value, facts: dict) -> str, the explanation of a firing ("本月年满 80 周岁 (出生 …)").
    explain: Callable | None = None
    # Other facts recorded with this one in a firing's ``facts`` (its explanation needs them).
    explain_with: tuple = ()

    def __post_init__(self):
        if self.type not in FACT_TYPES:
            raise ImproperlyConfigured(f"fact {self.code!r}: unknown type {self.type!r}")
        if self.type == "tag" and self.condition is None:
            raise ImproperlyConfigured(f"tag fact {self.code!r} needs a condition")


@dataclass(frozen=True)
class OutcomeSpec:
    """What a firing does (start a benefit, open a service task)."""

    code: str
    label: Any
    subject: str
    handler: Callable  # (subject_obj, *, rule, firing, facts, params) -> instance | None
    params_form: type | None = None  # a django.forms.Form class for the rule's outcome_params
    description: str = ""


_SUBJECTS: dict[str, SubjectSpec] | None = None
_FACTS: dict[str, FactSpec] | None = None
_OUTCOMES: dict[str, OutcomeSpec] | None = None
# Added at run time (tests register a test outcome without touching any app).
_EXTRA_OUTCOMES: dict[str, OutcomeSpec] = {}


def _discover():
    global _SUBJECTS, _FACTS, _OUTCOMES
    subjects: dict[str, SubjectSpec] = {}
    facts: dict[str, FactSpec] = {}
    outcomes: dict[str, OutcomeSpec] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gridgov."):
            continue
        try:
            module = import_module(f"{config.name}.rule_specs")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.rule_specs":
                raise
            continue
        for spec in getattr(module, "SUBJECTS", ()):
            if spec.code in subjects:
                raise ImproperlyConfigured(f"rule subject {spec.code!r} declared twice")
            subjects[spec.code] = spec
        for spec in getattr(module, "FACTS", ()):
            if spec.code in facts:
                raise ImproperlyConfigured(f"rule fact {spec.code!r} declared twice")
            facts[spec.code] = spec
        for spec in getattr(module, "OUTCOMES", ()):
            if spec.code in outcomes:
                raise ImproperlyConfigured(f"rule outcome {spec.code!r} declared twice")
            outcomes[spec.code] = spec
    for fact in facts.values():
        if fact.subject not in subjects:
            raise ImproperlyConfigured(f"fact {fact.code!r}: unknown subject {fact.subject!r}")
    _SUBJECTS, _FACTS, _OUTCOMES = subjects, facts, outcomes


def subjects() -> dict[str, SubjectSpec]:
    """Every declared subject, by code."""
    if _SUBJECTS is None:
        _discover()
    return _SUBJECTS


def facts(subject: str | None = None) -> dict[str, FactSpec]:
    """Every declared fact by code (only the subject's when ``subject`` is given)."""
    if _FACTS is None:
        _discover()
    if subject is None:
        return _FACTS
    return {code: f for code, f in _FACTS.items() if f.subject == subject}


def outcomes(subject: str | None = None) -> dict[str, OutcomeSpec]:
    """Every declared outcome by code (only the subject's when ``subject`` is given)."""
    if _OUTCOMES is None:
        _discover()
    found = {**_OUTCOMES, **_EXTRA_OUTCOMES}
    if subject is None:
        return found
    return {code: o for code, o in found.items() if o.subject == subject}


def register_outcome(spec: OutcomeSpec) -> None:
    """Add an outcome at run time (tests; an app normally declares it in rule_specs.py)."""
    _EXTRA_OUTCOMES[spec.code] = spec


def unregister_outcome(code: str) -> None:
    """Remove an outcome added by ``register_outcome``."""
    _EXTRA_OUTCOMES.pop(code, None)


def subject(code: str) -> SubjectSpec:
    """One subject by code (KeyError when unknown)."""
    return subjects()[code]


def fact(code: str) -> FactSpec:
    """One fact by code (KeyError when unknown)."""
    return facts()[code]


def outcome(code: str) -> OutcomeSpec:
    """One outcome by code (KeyError when unknown)."""
    return outcomes()[code]
