"""Verbs of the rule engine: save and retire rules, preview them, run them.

A run (``run_rules``) evaluates each active rule in SQL: the candidates are the subject's
queryset (people living in the district, report hotspots) inside the rule's area, annotated
with the facts the conditions use, filtered by the conditions compiled to one ``Q``
(``conditions.compile_q``) and by NOT EXISTS a firing of the rule for the subject in the
current period. It then fires each candidate in its own transaction: the ``Firing`` row (with
the facts that made it fire and the explanation), the outcome's handler and one audit record
``rules.fire``. The unique constraint (rule, subject, period) makes a second run — or two runs
at once — fire nothing twice: the loser's IntegrityError counts as "skipped".

Candidates are read by ranges of the primary key (the matching ids of ``RANGE`` ids a
query, then their rows ``CHUNK`` at a time), so memory stays flat over a million people and
the table is read once per rule.
"""

import datetime as dt
import logging
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.recorder import record
from gridgov.core.access import require
from gridgov.core.actors import acting_user as _user
from gridgov.core.concurrency import StaleVersion  # noqa: F401 (re-exported)

from . import conditions as conds
from . import registry
from .choices import Match, Period, RunStatus
from .models import Firing, Rule, RuleRun
from .permissions import MANAGE, VIEW

logger = logging.getLogger(__name__)

RANGE = 100_000  # key values whose matching keys are read at once
CHUNK = 1000  # candidates read and fired per batch
PREVIEW_ROWS = 20
SUBJECT_KEY = "rule_subject_key"




# --- periods, values, explanations -------------------------------------------------------------


def period_key(period: str, today: dt.date) -> str:
    """The key of the period containing ``today``: "once", "2026", "2026-12", "2026-W49",
    "2026-12-02"."""
    if period == Period.ONCE:
        return "once"
    if period == Period.YEAR:
        return f"{today.year}"
    if period == Period.MONTH:
        return f"{today:%Y-%m}"
    if period == Period.WEEK:
        year, week, _day = today.isocalendar()
        return f"{year}-W{week:02d}"
    if period == Period.DAY:
        return today.isoformat()
    raise ValueError(f"unknown period {period!r}")


def _json_value(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds") \
            if timezone.is_aware(value) else value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)


def _get(obj, name):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name, None)


def fact_codes(rule_or_conditions, subject: str) -> list[str]:
    """The facts a firing records: those the conditions use, plus what explains them."""
    conditions = getattr(rule_or_conditions, "conditions", rule_or_conditions)
    facts = registry.facts(subject)
    codes = []
    for code in conds.used_facts(conditions):
        spec = facts.get(code)
        if spec is None:
            continue
        codes.append(code)
        codes.extend(spec.explain_with)
    return list(dict.fromkeys(codes))


def fact_values(obj, codes, subject: str, conditions) -> dict:
    """The values of the facts ``codes`` on a candidate (a tag fact: the tags tested)."""
    facts = registry.facts(subject)
    values = {}
    for code in codes:
        spec = facts[code]
        if spec.type == "tag":
            tested = [c["value"] for c in conditions if c["fact"] == code]
            values[code] = _json_value(tested[0] if len(tested) == 1 else tested)
        else:
            values[code] = _json_value(_get(obj, spec.field or code))
    return values


def choice_labels(subject: str, conditions) -> dict:
    """{fact: {value: label}} of the choice facts the conditions use (read once per run)."""
    specs = registry.facts(subject)
    return {code: dict(specs[code].choices()) for code in conds.used_facts(conditions)
            if code in specs and specs[code].choices and specs[code].type == "choice"}


def explain(rule_name: str, subject: str, conditions, facts: dict, labels=None) -> str:
    """规则“年满80周岁高龄津贴”: 本月年满 80 周岁 (出生 1946-12-05)."""
    specs = registry.facts(subject)
    labels = choice_labels(subject, conditions) if labels is None else labels
    parts = []
    for code in conds.used_facts(conditions):
        spec = specs.get(code)
        if spec is None:
            continue
        value = facts.get(code)
        if spec.explain is not None:
            parts.append(str(spec.explain(value, facts)))
        elif spec.type == "tag":
            shown = "、".join(value) if isinstance(value, list) else value
            parts.append(_("%(l)s: %(v)s") % {"l": spec.label, "v": shown})
        elif spec.type == "bool":
            parts.append(_("%(l)s: %(v)s") % {"l": spec.label,
                                              "v": _("是") if value else _("否")})
        else:
            label = labels.get(code, {}).get(value, value)
            shown = _("空") if label in (None, "") else f"{label}{spec.unit}"
            parts.append(_("%(l)s: %(v)s") % {"l": spec.label, "v": shown})
    return (_("规则“%(r)s”: %(p)s") % {"r": rule_name, "p": "; ".join(parts)})[:500]


# --- the queries -------------------------------------------------------------------------------


def _subject_key(spec):
    return spec.subject_key() if spec.subject_key else Cast("pk", CharField())


def matching(rule, today: dt.date, *, area_q=None):
    """The subjects meeting the rule's conditions on ``today`` inside its area (and inside
    ``area_q`` over the subject's area field, a viewer's scope), annotated with the facts
    and ``rule_subject_key``."""
    spec = registry.subject(rule.subject)
    qs = spec.queryset(today)
    if rule.area_code:
        qs = qs.filter(**{f"{spec.area_field}__startswith": rule.area_code})
    if area_q is not None:
        qs = qs.filter(area_q)
    qs = conds.annotate(qs, rule.subject, fact_codes(rule, rule.subject), today)
    qs = qs.filter(conds.compile_q(rule.conditions, rule.subject, rule.match, today))
    return qs.annotate(**{SUBJECT_KEY: _subject_key(spec)})


def unfired(qs, rule, key: str):
    """``qs`` without the subjects the rule already fired for in the period ``key``."""
    return qs.filter(~Exists(Firing.objects.filter(
        rule_id=rule.pk, subject_type=rule.subject, period_key=key,
        subject_id=OuterRef(SUBJECT_KEY))))


def _batches(qs, spec, base=None):
    """The rows of ``qs`` in batches of at most ``CHUNK``: the matching keys of each range of
    ``RANGE`` values of the subject's batch field (an integer key, the primary key by
    default) are read first (integers only: one slice of the table by its index; the slices
    together read the table once), then their rows ``CHUNK`` at a time. An ORDER BY … LIMIT
    page would instead walk the index row by row through a rule that matches nobody.
    ``base``: the subject's queryset, for the key's bounds."""
    if not spec.batch_field:
        yield list(qs)
        return
    from django.db.models import Max, Min

    field = spec.batch_field
    bounds = (base if base is not None else qs).aggregate(low=Min(field), high=Max(field))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return
    start = low
    while start <= high:
        keys = list(qs.filter(**{f"{field}__gte": start, f"{field}__lt": start + RANGE})
                    .order_by(field).values_list(field, flat=True))
        for i in range(0, len(keys), CHUNK):
            yield list(qs.filter(**{f"{field}__in": keys[i:i + CHUNK]}).order_by(field))
        start += RANGE


# --- firing ------------------------------------------------------------------------------------


def _fire_one(rule, spec, outcome, obj, *, key, today, codes, run, actor, labels=None):
    """Fire the rule for one subject (its own transaction). True when fired, False when it
    had already fired for the period (IntegrityError on the unique constraint)."""
    facts = fact_values(obj, codes, rule.subject, rule.conditions)
    subject_id = str(_get(obj, SUBJECT_KEY))
    label = str(spec.describe(obj))[:200]
    try:
        with transaction.atomic():
            firing = Firing.objects.create(
                rule=rule, rule_version=rule.version, run=run, subject_type=rule.subject,
                subject_id=subject_id, subject_label=label, period_key=key,
                area_code=_get(obj, spec.area_field) or "", facts=facts,
                explanation=explain(rule.name, rule.subject, rule.conditions, facts, labels))
            result = outcome.handler(obj, rule=rule, firing=firing, facts=facts,
                                     params=dict(rule.outcome_params or {}))
            if result is not None and getattr(result, "pk", None) is not None:
                firing.outcome_type = result._meta.label_lower
                firing.outcome_id = str(result.pk)
                firing.save(update_fields=["outcome_type", "outcome_id"])
            record("rules.fire", actor=actor, obj=firing, new_chain=True,
                   object_repr=f"{rule.name} · {label}"[:200],
                   after={"rule": rule.pk, "rule_name": rule.name, "version": rule.version,
                          "subject": f"{rule.subject}:{subject_id}", "period": key,
                          "facts": facts, "outcome": firing.outcome_type,
                          "outcome_id": firing.outcome_id})
    except IntegrityError:
        if Firing.objects.filter(rule_id=rule.pk, subject_type=rule.subject,
                                 subject_id=subject_id, period_key=key).exists():
            return False  # fired meanwhile (another run): the unique constraint held
        raise  # the outcome's own constraint: an error, not a skip
    return True


def _run_rule(rule, today, *, run, actor) -> dict:
    counts = {"rule": rule.pk, "name": rule.name, "candidates": 0, "fired": 0, "skipped": 0,
              "errors": 0}
    try:
        spec = registry.subject(rule.subject)
        outcome = registry.outcome(rule.outcome)
        cleaned = conds.clean_conditions(rule.subject, rule.conditions)
    except (KeyError, ValidationError) as exc:
        counts["errors"] += 1
        counts["error"] = _("规则无法评估:%(e)s") % {"e": exc}
        return counts
    if cleaned != rule.conditions:
        rule.conditions = cleaned
    key = period_key(rule.period, today)
    codes = fact_codes(rule, rule.subject)
    labels = choice_labels(rule.subject, rule.conditions)
    qs = unfired(matching(rule, today), rule, key)
    base = spec.queryset(today)
    if rule.area_code:
        base = base.filter(**{f"{spec.area_field}__startswith": rule.area_code})
    for rows in _batches(qs, spec, base):
        for obj in rows:
            counts["candidates"] += 1
            try:
                fired = _fire_one(rule, spec, outcome, obj, key=key, today=today, codes=codes,
                                  run=run, actor=actor, labels=labels)
            except Exception as exc:  # one subject's failure must not stop the night's run
                logger.exception("rule %s failed for %s", rule.pk, _get(obj, SUBJECT_KEY))
                counts["errors"] += 1
                counts.setdefault("error", str(exc)[:200])
                continue
            counts["fired" if fired else "skipped"] += 1
    return counts


def run_rules(*, today=None, rules=None, actor=None, progress=None) -> RuleRun:
    """Evaluate the active rules (or ``rules``, active or not) on ``today`` (default: the
    local date) and fire each match once per rule, subject and period. Returns the run with
    its counts and duration; ``actor`` (the run-now button) needs ``rules.manage``.
    ``progress(done, total, message)`` (a background job's reporter) hears each rule start."""
    require(actor, MANAGE, message=_("只有系统管理员可以运行规则。"))
    today = today or timezone.localdate()
    started = time.monotonic()
    with transaction.atomic():
        run = RuleRun.objects.create(evaluated_on=today, triggered_by=_user(actor))
    if rules is None:
        rules = Rule.objects.filter(is_active=True).order_by("pk")
    details = []
    status = RunStatus.DONE
    rules = list(rules)
    try:
        for n, rule in enumerate(rules):
            if progress is not None:
                progress(n, len(rules), rule.name)
            details.append(_run_rule(rule, today, run=run, actor=actor))
    except Exception:
        status = RunStatus.FAILED
        raise
    finally:
        run.detail = details
        run.rules_evaluated = len(details)
        for name in ("candidates", "fired", "skipped", "errors"):
            setattr(run, name, sum(d[name] for d in details))
        run.status = status
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        with transaction.atomic():
            run.save()
            record("rules.run", actor=actor, obj=run, new_chain=True,
                   after={"date": today.isoformat(), "rules": run.rules_evaluated,
                          "fired": run.fired, "skipped": run.skipped, "errors": run.errors,
                          "duration_ms": run.duration_ms, "status": status})
    return run


def run_nightly() -> RuleRun | None:
    """The periodic job: run the rules once per local day (None when today's run is done)."""
    today = timezone.localdate()
    if RuleRun.objects.filter(evaluated_on=today, status=RunStatus.DONE,
                              triggered_by__isnull=True).exists():
        return None
    return run_rules(today=today)


# --- preview -----------------------------------------------------------------------------------


def mask_label(label: str) -> str:
    """张三丰 → 张**: a name for whoever may not see people."""
    return (label[:1] + "*" * min(max(len(label) - 1, 1), 4)) if label else ""


def preview_rule(rule, *, actor, today=None, limit=PREVIEW_ROWS) -> dict:
    """How many subjects the rule would fire for now (inside the actor's areas), and the
    first ``limit`` with their fact values. ``rule`` may be unsaved (the form's values)."""
    scope = require(actor, VIEW, MANAGE, message=_("您无权查看规则。"))
    today = today or timezone.localdate()
    spec = registry.subject(rule.subject)
    rule.conditions = conds.clean_conditions(rule.subject, rule.conditions)
    area_q = None
    if scope is not None:
        area_q = scope.area_q(spec.area_field, VIEW) | scope.area_q(spec.area_field, MANAGE)
    key = period_key(rule.period, today)
    qs = matching(rule, today, area_q=area_q)
    todo = unfired(qs, rule, key) if rule.pk else qs
    codes = fact_codes(rule, rule.subject)
    rows = []
    labels = choice_labels(rule.subject, rule.conditions)
    order = [spec.area_field, SUBJECT_KEY] if not spec.batch_field else [spec.batch_field]
    for obj in todo.order_by(*order)[:limit]:
        label = str(spec.describe(obj))
        area_code = _get(obj, spec.area_field) or ""
        if spec.privacy_permission and (
                scope is None or not scope.covers(area_code, spec.privacy_permission)):
            label = mask_label(label)
        facts = fact_values(obj, codes, rule.subject, rule.conditions)
        shown = {code: labels.get(code, {}).get(value, value) if isinstance(value, str)
                 else value for code, value in facts.items()}
        rows.append({"subject_id": str(_get(obj, SUBJECT_KEY)), "label": label,
                     "area_code": area_code, "facts": facts, "shown": shown,
                     "explanation": explain(rule.name, rule.subject, rule.conditions, facts,
                                            labels)})
    return {"period_key": key, "matching": qs.count(), "would_fire": todo.count(),
            "rows": rows, "facts": codes}


# --- rules -------------------------------------------------------------------------------------


def rule_state(rule: Rule) -> dict:
    return {"name": rule.name, "description": rule.description, "subject": rule.subject,
            "conditions": rule.conditions, "match": rule.match, "outcome": rule.outcome,
            "outcome_params": rule.outcome_params, "period": rule.period,
            "area_code": rule.area_code, "is_active": rule.is_active, "version": rule.version}


def _clean_params(outcome, params) -> dict:
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationError({"outcome_params": _("结果参数须为对象。")})
    if outcome.params_form is None:
        return {k: _json_value(v) for k, v in params.items()}
    form = outcome.params_form(data=params)
    if not form.is_valid():
        errors = {f"outcome_params.{field}": " ".join(str(m) for m in messages)
                  for field, messages in form.errors.items()}
        errors["outcome_params"] = _("结果参数有误。")
        raise ValidationError(errors)
    return {k: (v.pk if hasattr(v, "pk") else _json_value(v))
            for k, v in form.cleaned_data.items()}


def clean_rule(*, name, subject, conditions, match, outcome, outcome_params, period,
               area_code, description) -> dict:
    """The rule's values, validated against the registry (ValidationError by field)."""
    from gridgov.areas.models import Area

    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写规则名称。")})
    if len(name) > 100:
        raise ValidationError({"name": _("不能超过 %(n)s 个字。") % {"n": 100}})
    description = (description or "").strip()
    if len(description) > 500:
        raise ValidationError({"description": _("不能超过 %(n)s 个字。") % {"n": 500}})
    if subject not in registry.subjects():
        raise ValidationError({"subject": _("没有这种规则对象。")})
    if match not in Match.values:
        raise ValidationError({"match": _("请选择条件组合方式。")})
    if period not in Period.values:
        raise ValidationError({"period": _("请选择触发周期。")})
    spec = registry.outcomes(subject).get(outcome)
    if spec is None:
        raise ValidationError({"outcome": _("该对象没有这种结果。")})
    conditions = conds.clean_conditions(subject, conditions)
    if not conditions:
        raise ValidationError({"conditions": _("请至少填写一个条件。")})
    area_code = (area_code or "").strip()
    if area_code and not Area.objects.filter(code=area_code).exists():
        raise ValidationError({"area_code": _("没有这个区域。")})
    return {"name": name, "description": description, "subject": subject,
            "conditions": conditions, "match": match, "outcome": outcome,
            "outcome_params": _clean_params(spec, outcome_params), "period": period,
            "area_code": area_code}


def save_rule(rule: Rule | None = None, *, name, subject, conditions, outcome,
              match=Match.ALL, outcome_params=None, period=Period.ONCE, area_code="",
              description="", is_active=True, expected_version=None, actor) -> Rule:
    """Create (``rule=None``) or change a rule; it takes effect at the next run.
    ``expected_version`` behind the stored one: ``StaleVersion``."""
    require(actor, MANAGE, message=_("只有系统管理员可以维护规则。"))
    values = clean_rule(name=name, subject=subject, conditions=conditions, match=match,
                        outcome=outcome, outcome_params=outcome_params, period=period,
                        area_code=area_code, description=description)
    with transaction.atomic():
        before = None
        if rule is not None:
            rule = Rule.objects.select_for_update().get(pk=rule.pk)
            if expected_version is not None and int(expected_version) != rule.version:
                raise StaleVersion(rule)
            before = rule_state(rule)
        else:
            rule = Rule()
        for field, value in values.items():
            setattr(rule, field, value)
        rule.is_active = bool(is_active)
        rule.updated_by, rule.updated_at = _user(actor), timezone.now()
        if before is not None:
            if rule_state(rule) == before:
                return rule
            rule.version += 1
        rule.save()
        record("rules.save", actor=actor, obj=rule, before=before, after=rule_state(rule),
               new_chain=before is None)
    return rule


def retire_rule(rule: Rule, *, expected_version=None, actor) -> Rule:
    """Stop a rule: it no longer fires (its firings stay)."""
    require(actor, MANAGE, message=_("只有系统管理员可以维护规则。"))
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        if expected_version is not None and int(expected_version) != rule.version:
            raise StaleVersion(rule)
        if not rule.is_active:
            return rule
        before = rule_state(rule)
        rule.is_active, rule.version = False, rule.version + 1
        rule.updated_by, rule.updated_at = _user(actor), timezone.now()
        rule.save()
        record("rules.retire", actor=actor, obj=rule, before=before, after=rule_state(rule))
    return rule
